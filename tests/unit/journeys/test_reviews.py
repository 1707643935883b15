"""Satisfaction questions and review invitations: triggers, caps, policies, comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from journeys.commerce import CommerceEvent, decide_event
from journeys.dialogue import decide
from journeys.followups import Cancel, DueFollowUp, Hold, Recipient, Send, Skip
from journeys.model import (
    CommentSurvey,
    HandOff,
    OpenSurvey,
    ReviewReported,
    ScheduleFollowUp,
    ScoreSurvey,
    Survey,
)
from journeys.reviews import (
    ReviewHistory,
    decide_review_follow_up,
    invitation,
    support_closed,
)
from journeys.shop import Shop
from nlu.types import Entity
from tests.builders import customer_state, demo_shop, interpretation

NOW = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)  # 12:00 in Rome
LINK = "https://bot.example/r/tok123"
ASKED = Survey(id=7, trigger="review_request", asked_at=NOW - timedelta(hours=2), link=LINK)
DELIVERED = DueFollowUp("review_request", "review_request_1", NOW)
ANN = Recipient(customer_id="7", language="en")


def with_policy(policy: str) -> Shop:
    shop = demo_shop()
    reviews = replace(shop.journey_map.reviews, policy=policy)
    return replace(shop, journey_map=replace(shop.journey_map, reviews=reviews))


def press(score: object) -> object:
    entity = Entity("score", str(score), 5, 18, str(score), 1.0, "payload")
    return interpretation("csat", text=f'/csat{{"score": {score}}}', entities=(entity,))


def answer(text: str, survey: Survey = ASKED, shop: Shop | None = None, **state: object):  # type: ignore[no-untyped-def]
    """The decision on ``text`` (read by the NLU as a fallback) from a customer asked ``survey``."""
    message = interpretation("nlu_fallback", text=text, confidence=0.2, language_confidence=0.1)
    fields = {"purchased": True, "stage": "retention", "language": "en", **state}
    return decide(customer_state(survey=survey, **fields), message, NOW, shop or demo_shop())


# --- asking -----------------------------------------------------------------------------------


def test_the_delivered_order_question_has_five_score_buttons() -> None:
    outcome = decide_review_follow_up(DELIVERED, ANN, ReviewHistory(), NOW, demo_shop())

    assert isinstance(outcome, Send)
    assert outcome.reply.text.startswith("Your order has arrived – how happy are you with it")
    assert outcome.reply.ask == "csat"
    assert [b.title for b in outcome.reply.buttons] == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]
    assert outcome.reply.buttons[4].payload == '/csat{"score": 5}'


def test_a_delivered_order_schedules_the_question_a_week_later() -> None:
    event = CommerceEvent("order_delivered", NOW, order_id="o-1")
    state = customer_state(stage="retention", purchased=True)
    (request,) = decide_event(state, event, NOW, demo_shop().journey_map).commands

    assert isinstance(request, ScheduleFollowUp)
    assert (request.kind, request.due_at, request.subject) == (
        "review_request", NOW + timedelta(days=7), "o-1",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        (ReviewHistory(subject_asked=True),
         "already asked about this order or conversation"),
        (ReviewHistory(last_asked_at=NOW - timedelta(days=29)),
         "one satisfaction question per 30 days"),
        (ReviewHistory(last_message_at=NOW - timedelta(days=61)),
         "conversation silent for over 60 days"),
    ],
)  # fmt: skip
def test_each_cap_skips_the_question_with_its_reason(history: ReviewHistory, reason: str) -> None:
    assert decide_review_follow_up(DELIVERED, ANN, history, NOW, demo_shop()) == Skip(reason)


def test_a_question_31_days_after_the_last_one_goes_out() -> None:
    history = ReviewHistory(last_asked_at=NOW - timedelta(days=31), last_message_at=NOW)
    assert isinstance(decide_review_follow_up(DELIVERED, ANN, history, NOW, demo_shop()), Send)


def test_opted_out_customers_are_never_asked_and_quiet_hours_hold_the_question() -> None:
    night = datetime(2026, 3, 9, 21, 30, tzinfo=UTC)  # 22:30 in Rome
    shop = demo_shop()

    opted_out = replace(ANN, opted_out=True)
    opted = decide_review_follow_up(DELIVERED, opted_out, ReviewHistory(), NOW, shop)
    held = decide_review_follow_up(DELIVERED, ANN, ReviewHistory(), night, shop)

    assert isinstance(opted, Cancel)
    assert held == Hold(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))


def test_closing_a_support_conversation_schedules_a_question_about_the_service() -> None:
    (command,) = support_closed(42, NOW, demo_shop().journey_map)

    assert isinstance(command, ScheduleFollowUp)
    assert (command.kind, command.template, command.subject, command.due_at) == (
        "support_csat", "support_csat_1", "conversation:42", NOW + timedelta(minutes=1),
    )  # fmt: skip


def test_praise_from_a_customer_with_an_order_gets_the_question() -> None:
    praise = interpretation("praise", text="I love my new laptop")
    state = customer_state(stage="retention", purchased=True, last_products=("xps-13",))

    decision = decide(state, praise, NOW, demo_shop())

    assert decision.replies[0].ask == "csat"
    assert decision.commands == (OpenSurvey("praise", None, "xps-13"),)
    assert decision.stage_changed is not None and decision.stage_changed.current == "advocacy"


@pytest.mark.parametrize(
    "state",
    [
        customer_state(stage="awareness", purchased=False),
        customer_state(stage="retention", purchased=True, opted_out=True),
        customer_state(stage="retention", purchased=True,
                       survey=replace(ASKED, asked_at=NOW - timedelta(days=3), score=5)),
    ],
    ids=["no order", "opted out", "asked 3 days ago"],
)  # fmt: skip
def test_praise_is_only_thanked_when_a_rule_says_not_to_ask(state: object) -> None:
    decision = decide(state, interpretation("praise"), NOW, demo_shop())  # type: ignore[arg-type]

    assert decision.replies[0].ask is None
    assert decision.replies[0].template == "praise"
    assert not decision.commands


# --- answering --------------------------------------------------------------------------------


def test_a_five_is_thanked_and_invited_to_review_with_the_tracked_link() -> None:
    decision = decide(customer_state(survey=ASKED, language="en"), press(5), NOW, demo_shop())  # type: ignore[arg-type]

    thanks, invite = decision.replies
    assert thanks.template == "csat_thanks"
    assert invite.text.endswith(LINK)
    assert (invite.buttons[0].title, invite.buttons[0].payload) == ("Write a review", LINK)
    (record,) = decision.commands
    assert isinstance(record, ScoreSurvey)
    assert (record.score, record.invited, record.policy) == (5, True, "invite_all")
    assert record.review_url == "https://www.trustpilot.com/evaluate/shop.example.com"
    assert record.link_expires_at == NOW + timedelta(days=30)
    assert decision.log_as is not None and decision.log_as.entities == (("score", "5"),)


def test_a_low_score_apologises_offers_a_person_and_gets_the_same_invitation() -> None:
    decision = answer("2")

    sorry, invite = decision.replies
    assert sorry.template == "csat_sorry"
    assert "What went wrong?" in sorry.text
    assert [b.payload for b in sorry.buttons] == ["/ask_human"]
    assert invite.text == answer("5").replies[1].text


def test_under_satisfied_only_a_low_score_is_not_invited_and_the_reason_is_kept() -> None:
    shop = with_policy("satisfied_only")
    low, high = answer("2", shop=shop), answer("4", shop=shop)

    assert [r.template for r in low.replies] == ["csat_sorry"]
    assert low.commands[0] == ScoreSurvey(
        7, 2, "satisfied_only", False, "satisfied_only: score 2 is below 4",
        "https://www.trustpilot.com/evaluate/shop.example.com",
    )  # fmt: skip
    assert [r.template for r in high.replies] == ["csat_thanks", "review_invite"]


@pytest.mark.parametrize(
    ("policy", "score", "invited"),
    [("invite_all", 1, True), ("invite_all", 5, True), ("satisfied_only", 3, False),
     ("satisfied_only", 4, True), ("never", 5, False)],
)  # fmt: skip
def test_the_policy_decides_the_invitation(policy: str, score: int, invited: bool) -> None:
    assert invitation(policy, score, "https://r.example")[0] is invited


def test_a_product_with_its_own_review_page_sends_the_customer_there() -> None:
    survey = replace(ASKED, product_id="xps-13")
    (record,) = answer("5", survey).commands
    assert isinstance(record, ScoreSurvey)
    assert record.review_url == "https://shop.example.com/products/xps-13/reviews/new"


@pytest.mark.parametrize(
    ("text", "language", "score", "first"),
    [
        ("muy bien", "es", 4, "¡Gracias por tu valoración!"),
        ("pésimo, llegó roto", "es", 1, "Siento que no haya ido mejor, y gracias"),
        ("ottimo", "it", 5, "Grazie per la tua valutazione!"),
        ("terrible", "en", 1, "I'm sorry it wasn't better. What went wrong?"),
    ],
)
def test_a_typed_answer_counts_in_the_customers_language(
    text: str, language: str, score: int, first: str
) -> None:
    decision = answer(text, language=language)

    assert decision.replies[0].text.startswith(first)
    assert isinstance(decision.commands[0], ScoreSurvey)
    assert decision.commands[0].score == score


def test_a_typed_answer_with_a_comment_stores_both() -> None:
    (record,) = answer("terrible, the screen arrived broken").commands
    assert isinstance(record, ScoreSurvey)
    assert (record.score, record.comment) == (1, "the screen arrived broken")


def test_a_question_typed_while_a_score_is_awaited_is_answered_as_usual() -> None:
    price = interpretation("ask_price", text="how much is the XPS 13?")
    state = customer_state(survey=ASKED, purchased=True)
    decision = decide(state, price, NOW, demo_shop())
    assert not any(isinstance(c, ScoreSurvey) for c in decision.commands)


def test_a_score_typed_after_the_answer_window_is_not_taken() -> None:
    late = replace(ASKED, asked_at=NOW - timedelta(days=8))
    assert not any(isinstance(c, ScoreSurvey) for c in answer("5", late).commands)


def test_pressing_the_stars_again_changes_nothing() -> None:
    answered = replace(ASKED, score=4, answered_at=NOW - timedelta(days=1))
    decision = decide(customer_state(survey=answered), press(2), NOW, demo_shop())  # type: ignore[arg-type]

    assert [r.template for r in decision.replies] == ["csat_already"]
    assert decision.commands == ()


# --- comments ---------------------------------------------------------------------------------


def scored(score: int, minutes_ago: int = 5) -> Survey:
    return replace(ASKED, score=score, answered_at=NOW - timedelta(minutes=minutes_ago))


def test_after_a_score_of_two_the_pain_point_is_kept_and_a_person_takes_over() -> None:
    text = "the charger was missing"
    decision = decide(
        customer_state(survey=scored(2)), interpretation("complain", text=text), NOW, demo_shop()
    )

    comment, handoff, _update = decision.commands
    assert comment == CommentSurvey(7, text)
    assert handoff == HandOff("low CSAT score (2)")
    assert decision.replies[1].text.startswith("I'm passing you to a person on our team.")


def test_after_a_three_the_comment_is_kept_and_a_person_offered() -> None:
    text = "the charger was missing"
    decision = decide(
        customer_state(survey=scored(3)), interpretation("complain", text=text), NOW, demo_shop()
    )

    assert decision.commands == (CommentSurvey(7, text),)
    assert [b.payload for b in decision.replies[0].buttons] == ["/ask_human"]


@pytest.mark.parametrize("intent", ["ask_human", "thanks", "goodbye", "stop"])
def test_after_a_low_score_asking_for_a_person_or_thanking_is_not_a_comment(intent: str) -> None:
    decision = decide(customer_state(survey=scored(2)), interpretation(intent), NOW, demo_shop())
    assert not any(isinstance(c, CommentSurvey) for c in decision.commands)


def test_after_a_high_score_a_product_question_is_answered_not_stored() -> None:
    question = interpretation("ask_price", text="how much is the XPS 13?")
    decision = decide(customer_state(survey=scored(5)), question, NOW, demo_shop())
    assert not any(isinstance(c, CommentSurvey) for c in decision.commands)


def test_a_message_an_hour_after_the_score_is_no_longer_its_comment() -> None:
    late = interpretation("complain", text="also the box was wet")
    decision = decide(customer_state(survey=scored(2, 61)), late, NOW, demo_shop())
    assert not any(isinstance(c, CommentSurvey) for c in decision.commands)


# --- advocacy ---------------------------------------------------------------------------------


def test_saying_a_review_was_left_records_it_and_schedules_the_referral_once() -> None:
    said = interpretation("leave_review", text="I just left you a review on Trustpilot")
    state = customer_state(stage="retention", purchased=True)

    decision = decide(state, said, NOW, demo_shop())

    assert decision.replies[0].template == "review_thanks"
    assert decision.log_as is not None and decision.log_as.kind == "review_reported"
    reported, referral = decision.commands
    assert reported == ReviewReported("customer")
    assert isinstance(referral, ScheduleFollowUp)
    assert (referral.kind, referral.key) == ("referral", "referral")  # one key: once ever
    assert decision.stage_changed is not None and decision.stage_changed.current == "advocacy"


def test_a_submitted_review_event_does_the_same() -> None:
    event = CommerceEvent("review_submitted", NOW)
    state = customer_state(stage="retention", purchased=True)
    decision = decide_event(state, event, NOW, demo_shop().journey_map)

    assert decision.commands[0] == ReviewReported("event")
    assert isinstance(decision.commands[1], ScheduleFollowUp)
    assert decision.commands[1].key == "referral"
    assert decision.stage_changed is not None and decision.stage_changed.current == "advocacy"


def test_the_referral_message_carries_the_customers_share_link() -> None:
    due = DueFollowUp("referral", "referral_1", NOW)
    outcome = decide_review_follow_up(due, ANN, ReviewHistory(), NOW, demo_shop())

    assert isinstance(outcome, Send)
    share = outcome.reply.buttons[0]
    assert share.title == "Share your link"
    assert share.payload.startswith("https://shop.example.com/invite/")
    assert share.payload in outcome.reply.text
    bob = replace(ANN, customer_id="8")
    other = decide_review_follow_up(due, bob, ReviewHistory(), NOW, demo_shop())
    assert isinstance(other, Send) and other.reply.buttons[0].payload != share.payload


def test_asking_to_write_a_review_after_an_invitation_gives_the_link_again() -> None:
    invited = replace(scored(5, 60 * 24), invited=True)
    wants = interpretation("leave_review", text="where can I write a review?")
    decision = decide(customer_state(survey=invited, purchased=True), wants, NOW, demo_shop())
    assert decision.replies[0].buttons[0].payload == LINK
