"""The dialogue decision: what to answer one message and what the shell must do about it.

``decide`` takes the customer's state, the NLU's interpretation, the time and the shop, and
returns a ``Decision``; it never sends, stores or reads the clock. In order:

- the answer to a CSAT question (a score button, or a score typed while one is awaited), or
  a comment on the score just given: see ``journeys.reviews`` (this works even while the NLU
  is unavailable).
- NLU unavailable: apologise (``nlu_unavailable``); no stage change, the streak is kept.
- Not understood (``nlu_fallback``, or an intent the shop has no reply for): ``nlu_fallback``;
  the ``fallback.hand_off_after``-th one in a row hands the conversation to a person.
- ``stop``: opt out of proactive messages, cancel pending follow-ups, confirm.
- ``ask_human``, or a complaint with clearly negative words: hand the conversation to a
  person (``journeys.handoff``: the customer is told the expected wait, or out of office
  hours that they may leave a message).
- ``praise`` from a customer who has ordered: the CSAT question; ``leave_review``: the
  review link, or thanks and the referral offer to one who says they left a review.
- ``hesitation``: the template for its objection (price, shipping, doubt); and any message
  that leaves the customer in the buying stage moves the ``chat_quiet`` follow-up later
  (see ``journeys.stalls``).
- consideration questions (price, stock, specs, comparisons, recommendations, FAQ
  topics), and messages not understood that still name a product or match an FAQ entry
  clearly: answered from the shop's data (see ``journeys.consideration``).
- any other intent: its reply template (``start`` → ``welcome``).

The reply language is the message's when detected with confidence ≥ 0.6 and supported,
else the customer's known language, else the journey map's default.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from journeys.consideration import NO_SIGNAL, Answer, answer
from journeys.handoff import clearly_negative, handed_off
from journeys.model import (
    CancelFollowUp,
    Command,
    CustomerState,
    Decision,
    PurchaseStated,
    Resolved,
    SetOptOut,
    StageChanged,
)
from journeys.questions import answer_parts, asks_several
from journeys.references import Focus, mentioned_products
from journeys.replies import Speaker
from journeys.reviews import Turn, praise_question, review_mentioned, survey_turn
from journeys.shop import Shop
from journeys.stalls import HESITATION, hesitation_template, quiet_commands
from nlu.types import FALLBACK_INTENT, Interpretation

LANGUAGE_CONFIDENCE_MIN = 0.6
STATED_CONFIDENCE = 0.6
"""Words count as a stated purchase only when the NLU is at least this sure of them."""
STOP_INTENT = "stop"
HUMAN_INTENT = "ask_human"
COMPLAINT = "complain"
UNSUPPORTED_CONTENT = "unsupported_content"


def choose_language(state: CustomerState, interpretation: Interpretation, shop: Shop) -> str:
    """The language to answer in (see the module docstring)."""
    supported = shop.journey_map.languages
    detected = interpretation.language
    if detected in supported and interpretation.language_confidence >= LANGUAGE_CONFIDENCE_MIN:
        return detected
    return _known_language(state, shop)


def decide(
    state: CustomerState, interpretation: Interpretation, now: datetime, shop: Shop
) -> Decision:
    """Decide the answer to one understood-or-not text message."""
    language = choose_language(state, interpretation, shop)
    speaker = _speaker(state, now, shop, language)
    turn = Turn(state, interpretation, now, shop, speaker)
    about_survey = survey_turn(turn)
    if about_survey is not None:
        return about_survey
    if not interpretation.available:
        return Decision(
            replies=(speaker.say("nlu_unavailable"),),
            language=language,
            consecutive_fallbacks=state.consecutive_fallbacks,
        )
    intent = interpretation.intent.name
    about_reviews = praise_question(turn) or review_mentioned(turn)
    if about_reviews is not None:
        return _staged(about_reviews, state, interpretation, now, shop)
    if intent == HUMAN_INTENT:
        return handed_off("the customer asked for a person", now, shop, speaker)
    if intent == COMPLAINT and clearly_negative(interpretation.text):
        sorry = speaker.say(shop.template_for_intent(COMPLAINT))
        decision = handed_off("a clearly negative complaint", now, shop, speaker, first=sorry)
        return _staged(decision, state, interpretation, now, shop)
    template = shop.template_for_intent(intent)
    focus = Focus(state.last_products, state.selected_product, state.last_faq_entry)
    if asks_several(interpretation, shop):
        found = answer_parts(interpretation, focus, shop, speaker)
    else:
        found = answer(intent, interpretation, focus, shop, speaker)
    if found is None:
        if intent == FALLBACK_INTENT or not speaker.has(template):
            return _not_understood(state, now, shop, speaker)
        products = mentioned_products(interpretation, shop.catalogue)
        if intent == HESITATION:
            template = hesitation_template(interpretation.text, speaker)
        found = Answer((speaker.say(template),), products)
    signal = intent if found.signal is None else found.signal
    changed, said = _moved(state, interpretation, signal, now, shop)
    commands: tuple[Command, ...] = ()
    if intent == STOP_INTENT:
        commands = (SetOptOut(True), CancelFollowUp(None, reason="customer opted out"))
    else:
        after = changed.current if changed else state.stage
        commands = quiet_commands(intent, state.stage, after, now, shop)
    return Decision(
        replies=found.replies,
        language=language,
        stage_changed=changed,
        commands=commands,
        products=found.products,
        faq_entry=found.faq_entry,
        context_products=found.context,
        purchase_stated=said,
        resolved=None if found.resolved_by is None else Resolved(signal, found.resolved_by),
    )


def _sure(interpretation: Interpretation, shop: Shop) -> bool:
    """True when the NLU is sure the customer speaks of something they bought: the intents
    that state a purchase hold ``STATED_CONFIDENCE`` of its ranking ("has my order left
    the warehouse?" may be a delivery problem or an order-status question; either says
    there is an order), or of one part of the message."""
    jm = shop.journey_map
    readings = (interpretation, *interpretation.parts)
    return any(
        sum(s.confidence for s in r.intent_ranking or (r.intent,) if jm.is_stated_evidence(s.name))
        >= STATED_CONFIDENCE
        for r in readings
    )


def _staged(
    decision: Decision,
    state: CustomerState,
    interpretation: Interpretation,
    now: datetime,
    shop: Shop,
) -> Decision:
    """``decision`` with the stage change and purchase evidence its intent brings."""
    changed, said = _moved(state, interpretation, interpretation.intent.name, now, shop)
    return replace(decision, stage_changed=changed, purchase_stated=said)


def _moved(
    state: CustomerState, interpretation: Interpretation, signal: str, now: datetime, shop: Shop
) -> tuple[StageChanged | None, PurchaseStated | None]:
    """The stage change and purchase word ``signal`` brings. ``NO_SIGNAL``, or a stated
    purchase the NLU is not sure of (a purchase is never inferred from a guess), only
    places a new customer."""
    if signal != NO_SIGNAL and shop.journey_map.is_stated_evidence(signal):
        signal = signal if _sure(interpretation, shop) else NO_SIGNAL
    if signal == NO_SIGNAL:
        return _arrival(state, now, shop, interpretation.intent.name), None
    return shop.tracker.on_signal(state, signal, now), shop.tracker.purchase_stated(state, signal)


def decide_unsupported(state: CustomerState, now: datetime, shop: Shop) -> Decision:
    """Answer a sticker, photo, voice note or file: only text can be read."""
    language = _known_language(state, shop)
    speaker = _speaker(state, now, shop, language)
    return Decision(
        replies=(speaker.say(UNSUPPORTED_CONTENT),),
        language=language,
        stage_changed=_arrival(state, now, shop, UNSUPPORTED_CONTENT),
        consecutive_fallbacks=state.consecutive_fallbacks,
    )


def _not_understood(state: CustomerState, now: datetime, shop: Shop, speaker: Speaker) -> Decision:
    """The fallback reply; the N-th one in a row hands the conversation to a person and
    restarts the count."""
    streak = state.consecutive_fallbacks + 1
    arrival = _arrival(state, now, shop, FALLBACK_INTENT)
    if streak >= shop.journey_map.fallback.hand_off_after:
        reason = f"not understood {streak} times in a row"
        return replace(handed_off(reason, now, shop, speaker), stage_changed=arrival)
    return Decision(
        replies=(speaker.say(FALLBACK_INTENT),),
        language=speaker.language,
        stage_changed=arrival,
        consecutive_fallbacks=streak,
    )


def _arrival(state: CustomerState, now: datetime, shop: Shop, reason: str) -> StageChanged | None:
    """A message that signals nothing still places a new customer at the initial stage."""
    return shop.tracker.next_stage(state, None, now, reason)


def _known_language(state: CustomerState, shop: Shop) -> str:
    if state.language is not None and state.language in shop.journey_map.languages:
        return state.language
    return shop.journey_map.default_language


def _speaker(state: CustomerState, now: datetime, shop: Shop, language: str) -> Speaker:
    """Variants vary with the customer and the moment, yet repeat for the same input."""
    seed = f"{state.customer_id}|{now.isoformat()}"
    return Speaker(shop.replies, language, seed)
