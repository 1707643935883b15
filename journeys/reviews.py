"""Satisfaction (CSAT) questions, review invitations and advocacy, without review gating.

**When a 1–5 question is asked**: by the ``review_request`` follow-up after an order is
delivered (its cadence in the journey map; a week by default), by the ``support_csat``
follow-up after a person closes a support conversation, and in chat when a customer who has
ordered praises the product or the service. It is skipped, with the reason recorded, when
the customer opted out, was already asked about the same order or conversation, was asked
anything in the last ``reviews.min_interval`` (30 days), or when the conversation has been
silent for longer than ``reviews.max_conversation_age``. Follow-ups also wait out the quiet
hours and count against the proactive caps (``journeys.followups``).

**The answer** comes from the buttons (``/csat{"score": 4}``) or typed (``journeys.csat``)
within ``reviews.answer_within``. A score of 4–5 is thanked; 1–3 gets an apology, the
question of what went wrong and the offer of a person. Then the review policy decides the
invitation, and the decision is recorded with its reason: ``invite_all`` (the default)
invites every customer who answers, with the same message and link; ``satisfied_only``
invites scores of 4–5 only; ``never`` nobody. The link is the survey's own ``/r/<token>``,
which counts the click and leads to the product's ``review_url`` or the shop's.

**Comments**: within ``reviews.comment_within`` of a score, the next message is stored as its
comment — after a low score anything but a general intent (thanks, goodbye, asking for a
person ...), after a high one praise, a complaint or text the bot cannot otherwise answer.
After a score of 1 or 2 the comment (the pain point) also hands the conversation to a person.

**Advocacy**: a ``review_submitted`` event, or the customer saying they left a review,
schedules the ``referral`` follow-up (a share link), once per customer ever.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from journeys.csat import MAX_SCORE, MIN_SCORE, read_score, says_reviewed
from journeys.followups import DueFollowUp, Outcome, Recipient, Send, Skip, decide_follow_up
from journeys.handoff import handed_off
from journeys.journey_map import JourneyMap
from journeys.model import (
    Button,
    Command,
    CommentSurvey,
    CustomerState,
    Decision,
    LogAs,
    OpenSurvey,
    Reply,
    ReviewReported,
    ScheduleFollowUp,
    ScoreSurvey,
    Survey,
)
from journeys.replies import Speaker
from journeys.review_settings import INVITE_ALL, SATISFIED_ONLY, ReviewSettings, referral_link
from journeys.shop import START_INTENT, Shop
from nlu.types import FALLBACK_INTENT, Interpretation

REVIEW_REQUEST = "review_request"
SUPPORT_CSAT = "support_csat"
REFERRAL = "referral"
SURVEY_KINDS = (REVIEW_REQUEST, SUPPORT_CSAT)
"""Follow-up kinds that ask the CSAT question."""
PRAISE = "praise"
LEAVE_REVIEW = "leave_review"
CSAT_INTENT = "csat"
"""The intent of the score buttons' payload, ``/csat{"score": 5}``."""
SCORE_ENTITY = "score"
SATISFIED = 4
"""The lowest score that counts as satisfied (CSAT % is the share of 4–5)."""
HAND_OFF_SCORE = 2
"""A score this low hands the conversation to a person once the customer said why."""
ASK_CSAT = "csat"
SHARE = "share"
"""The ``button_titles`` entry of the referral message's link button."""
REVIEW_LINK = "review_link"
"""The ``button_titles`` entry of the invitation's link button."""
_COMMENTS_AFTER_HIGH = frozenset({PRAISE, "complain", FALLBACK_INTENT, "out_of_scope"})


class Turn(NamedTuple):
    """One inbound message as the dialogue sees it."""

    state: CustomerState
    interpretation: Interpretation
    now: datetime
    shop: Shop
    speaker: Speaker


@dataclass(frozen=True, slots=True)
class ReviewHistory:
    """What the rules on asking need to know of the customer's past questions."""

    last_asked_at: datetime | None = None
    subject_asked: bool = False
    """The same order or conversation was asked about already."""
    last_message_at: datetime | None = None
    """The last message of the conversation the question would go to."""


def skip_reason(history: ReviewHistory, now: datetime, settings: ReviewSettings) -> str | None:
    """Why no CSAT question may be asked now (None: it may)."""
    if history.subject_asked:
        return "already asked about this order or conversation"
    if history.last_asked_at is not None and now - history.last_asked_at < settings.min_interval:
        return f"one satisfaction question per {_days(settings.min_interval)} days"
    if (
        history.last_message_at is not None
        and now - history.last_message_at > settings.max_conversation_age
    ):
        return f"conversation silent for over {_days(settings.max_conversation_age)} days"
    return None


def decide_review_follow_up(
    due: DueFollowUp, who: Recipient, history: ReviewHistory, now: datetime, shop: Shop
) -> Outcome:
    """The send-time decision for a ``SURVEY_KINDS`` or ``referral`` follow-up."""
    settings = shop.journey_map.reviews
    link = referral_link(who.customer_id, settings) if due.kind == REFERRAL else None
    outcome = decide_follow_up(due, who, now, shop, {"referral_link": link or ""})
    if due.kind == REFERRAL:
        if not isinstance(outcome, Send) or link is None:
            return outcome
        share = shop.replies.link_button(SHARE, link, who.language)
        reply = outcome.reply
        return Send(replace(reply, buttons=(share, *reply.buttons)) if share else reply)
    if not isinstance(outcome, Send | Skip):  # opted out, with a person, quiet hours
        return outcome
    reason = skip_reason(history, now, settings)
    if reason is not None:
        return Skip(reason)
    return Send(as_question(outcome.reply)) if isinstance(outcome, Send) else outcome


def as_question(reply: Reply) -> Reply:
    """``reply`` with the 1–5 score buttons (the widget draws them as stars)."""
    scores = tuple(
        Button(f"{n} ★", f'/{CSAT_INTENT}{{"{SCORE_ENTITY}": {n}}}')
        for n in range(MIN_SCORE, MAX_SCORE + 1)
    )
    return replace(reply, buttons=scores, ask=ASK_CSAT)


def survey_turn(turn: Turn) -> Decision | None:
    """The decision when the message answers the customer's CSAT question or comments on
    their score; None when it is not about the survey."""
    state, interpretation, now, shop, speaker = turn
    survey, settings = state.survey, shop.journey_map.reviews
    button = interpretation.intent.name == CSAT_INTENT
    open_question = (
        survey is not None
        and survey.score is None
        and now - survey.asked_at <= settings.answer_within
    )
    if survey is None or not open_question:
        if button:  # a second press, an old message's stars, a malformed payload
            return _decision(speaker, (speaker.say("csat_already"),))
        if survey is not None and _is_comment(survey, interpretation, now, shop):
            return _comment(turn, survey)
        return None
    if button:
        pressed = _pressed_score(interpretation)
        if pressed is None:
            return _decision(speaker, (speaker.say("csat_already"),))
        return answer_score(survey, pressed, None, now, speaker, shop)
    typed = read_score(interpretation.text)
    if typed is None:
        return None
    return answer_score(survey, typed.score, typed.comment, now, speaker, shop)


def answer_score(
    survey: Survey, score: int, comment: str | None, now: datetime, speaker: Speaker, shop: Shop
) -> Decision:
    """Thank or apologise, invite to review as the policy says, and record it all."""
    settings = shop.journey_map.reviews
    url = review_url(survey.product_id, shop)
    invited, reason = invitation(settings.policy, score, url)
    if score >= SATISFIED:
        first = speaker.say("csat_thanks")
    else:
        first = speaker.say("csat_sorry_noted" if comment else "csat_sorry")
    replies = [first, _invitation(survey, speaker, shop)] if invited else [first]
    expires = now + settings.link_ttl if invited else None
    record = ScoreSurvey(survey.id, score, settings.policy, invited, reason, url, comment, expires)
    log = LogAs("csat_answered", CSAT_INTENT, ((SCORE_ENTITY, str(score)),))
    return _decision(speaker, tuple(replies), (record,), log)


def invitation(policy: str, score: int, url: str | None) -> tuple[bool, str]:
    """Whether the answer ``score`` gets a review invitation under ``policy``, and why."""
    if url is None:
        return False, "no review_url is configured"
    if policy == INVITE_ALL:
        return True, "invite_all: every customer who answers is invited"
    if policy == SATISFIED_ONLY:
        if score >= SATISFIED:
            return True, f"satisfied_only: score {score} is at least {SATISFIED}"
        return False, f"satisfied_only: score {score} is below {SATISFIED}"
    return False, f"{policy}: review invitations are off"


def survey_product(products: tuple[str, ...]) -> str | None:
    """The product a question about an order is about: the order's only product, if one."""
    return products[0] if len(products) == 1 else None


def review_url(product_id: str | None, shop: Shop) -> str | None:
    """Where a review of ``product_id`` is written: its own page, else the shop's."""
    product = shop.catalogue.get(product_id) if product_id else None
    if product is not None and product.review_url:
        return product.review_url
    return shop.journey_map.reviews.review_url


def praise_question(turn: Turn) -> Decision | None:
    """A customer with an order praises us: thank them and ask the CSAT question, unless a
    rule says not to (then the usual praise reply answers)."""
    state, interpretation, now, shop, speaker = turn
    if interpretation.intent.name != PRAISE or not state.purchased or state.opted_out:
        return None
    asked = state.survey.asked_at if state.survey else None
    if skip_reason(ReviewHistory(last_asked_at=asked), now, shop.journey_map.reviews):
        return None
    product = state.last_products[0] if state.last_products else None
    question = as_question(speaker.say("csat_praise"))
    return _decision(speaker, (question,), (OpenSurvey(PRAISE, None, product),))


def review_mentioned(turn: Turn) -> Decision | None:
    """``leave_review``: a customer who says they left one is thanked and offered the
    referral link; one who wants to write one gets their survey's link when invited."""
    state, interpretation, now, shop, speaker = turn
    if interpretation.intent.name != LEAVE_REVIEW:
        return None
    if says_reviewed(interpretation.text):
        commands = (ReviewReported("customer"), *referral_commands(now, shop.journey_map))
        log = LogAs("review_reported", LEAVE_REVIEW)
        return _decision(speaker, (speaker.say("review_thanks"),), commands, log)
    survey = state.survey
    if survey is None or not survey.invited:
        return None
    return _decision(speaker, (_invitation(survey, speaker, shop),))


def referral_commands(now: datetime, journey_map: JourneyMap) -> tuple[Command, ...]:
    """Schedule the referral message: its key is the same for every call, so it goes out
    once per customer, ever."""
    cadence = journey_map.follow_up(REFERRAL)
    if cadence is None:
        return ()
    return (ScheduleFollowUp(REFERRAL, now + cadence.delays[0], REFERRAL, f"{REFERRAL}_1"),)


def support_closed(
    conversation_id: int, now: datetime, journey_map: JourneyMap
) -> tuple[Command, ...]:
    """A person closed a support conversation: schedule the CSAT question about the service."""
    cadence = journey_map.follow_up(SUPPORT_CSAT)
    if cadence is None:
        return ()
    subject = f"conversation:{conversation_id}"
    return (
        ScheduleFollowUp(
            SUPPORT_CSAT, now + cadence.delays[0], f"{SUPPORT_CSAT}:{subject}",
            f"{SUPPORT_CSAT}_1", subject,
        ),
    )  # fmt: skip


def awaiting_comment(survey: Survey, now: datetime, settings: ReviewSettings) -> bool:
    """True while a message may still be the comment on the survey's score."""
    return (
        survey.answered_at is not None
        and not survey.commented
        and now - survey.answered_at <= settings.comment_within
    )


def _is_comment(survey: Survey, interpretation: Interpretation, now: datetime, shop: Shop) -> bool:
    if survey.score is None or not awaiting_comment(survey, now, shop.journey_map.reviews):
        return False
    intent = interpretation.intent.name
    if survey.score >= SATISFIED:
        return intent in _COMMENTS_AFTER_HIGH
    general = set(shop.journey_map.general_intents) - {"out_of_scope"}
    return intent not in general | {START_INTENT, CSAT_INTENT}


def _comment(turn: Turn, survey: Survey) -> Decision:
    """Thank for the comment. After a score of ``HAND_OFF_SCORE`` or less the conversation
    goes to a person, who reads it; after 3, a person is offered (the template's button)."""
    speaker, score = turn.speaker, survey.score or 0
    record = CommentSurvey(survey.id, turn.interpretation.text)
    log = LogAs("csat_comment", "csat_comment")
    if score <= HAND_OFF_SCORE:
        noted = speaker.say("csat_comment_noted")
        decision = handed_off(
            f"low CSAT score ({score})", turn.now, turn.shop, speaker, first=noted
        )
        return replace(decision, commands=(record, *decision.commands), log_as=log)
    reply = speaker.say("csat_comment_sorry" if score < SATISFIED else "csat_comment_thanks")
    return _decision(speaker, (reply,), (record,), log)


def _invitation(survey: Survey, speaker: Speaker, shop: Shop) -> Reply:
    """The review invitation: the same text and tracked link for everyone invited."""
    invite = speaker.say("review_invite", link=survey.link)
    button = shop.replies.link_button(REVIEW_LINK, survey.link, speaker.language)
    return replace(invite, buttons=(button,)) if button else invite


def _pressed_score(interpretation: Interpretation) -> int | None:
    """The score of a ``/csat{"score": n}`` button, None for any other message."""
    if interpretation.intent.name != CSAT_INTENT:
        return None
    for entity in interpretation.entities:
        if entity.entity == SCORE_ENTITY and entity.value.strip().isdigit():
            value = int(entity.value)
            if MIN_SCORE <= value <= MAX_SCORE:
                return value
    return None


def _decision(
    speaker: Speaker,
    replies: tuple[Reply, ...],
    commands: tuple[Command, ...] = (),
    log: LogAs | None = None,
) -> Decision:
    return Decision(replies=replies, language=speaker.language, commands=commands, log_as=log)


def _days(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() / 86400))
