"""Handing a conversation to a person: its states, the triggers, and what the customer is told.

**States** of a conversation: ``bot`` (the assistant answers); ``waiting`` (a person was asked
for, nobody has claimed it yet); ``agent`` (a person owns it); ``closed``. The moves::

    bot     --request--> waiting --claim--> agent --release--> bot
    bot     --claim----> agent                (a person takes over from the console)
    waiting --cancel---> bot                  ("never mind", "back to the bot")
    agent   --cancel---> bot
    waiting --release--> bot
    any open --close---> closed

While ``waiting`` or ``agent`` the bot does not answer; messages are stored for the person.

**Triggers** (the ``handoff`` section of the journey map tunes them): the customer asks for a
person (``ask_human``, also the "Talk to a person" button); ``fallback.hand_off_after``
messages in a row not understood; a complaint with clearly negative words; a CSAT score of 2
or less; a cart of at least ``handoff.high_value_cart`` that stalls (its first reminder falls
due); a person taking over from the console.

**What the customer is told**: in office hours, that a person will answer here and the
expected wait; out of them, that the team is away and they can leave a message. A waiting
conversation that no one claims within ``handoff.unclaimed_update_after`` gets one polite
update (the ``handoff_waiting`` follow-up).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from journeys.followups import Cancel, DueFollowUp, Outcome, Recipient, Send
from journeys.handoff_settings import HandoffSettings
from journeys.model import (
    BackToBot,
    Command,
    Decision,
    HandOff,
    LogAs,
    Reply,
    ScheduleFollowUp,
)
from journeys.replies import Speaker
from journeys.shop import Shop
from journeys.text import Phrase, fold

BOT, WAITING, AGENT, CLOSED = "bot", "waiting", "agent", "closed"
OPEN = (BOT, WAITING, AGENT)
WITH_PERSON = (WAITING, AGENT)
"""States in which the bot stays silent."""
HANDOFF_WAITING = "handoff_waiting"
"""The follow-up kind of the polite update to a customer still waiting."""
_MOVES = {
    ("request", BOT): WAITING,
    ("claim", BOT): AGENT,
    ("claim", WAITING): AGENT,
    ("cancel", WAITING): BOT,
    ("cancel", AGENT): BOT,
    ("release", WAITING): BOT,
    ("release", AGENT): BOT,
    **{("close", state): CLOSED for state in OPEN},
}


class InvalidMove(ValueError):
    """The move is not possible from the conversation's state (the text says why)."""


def next_state(state: str, move: str) -> str:
    """The state after ``move`` (request, claim, cancel, release, close) from ``state``."""
    found = _MOVES.get((move, state))
    if found is None:
        raise InvalidMove(f"cannot {move} a conversation that is {state}")
    return found


def request(reason: str, now: datetime, settings: HandoffSettings) -> tuple[Command, ...]:
    """Put the conversation in the queue for a person, with the polite update scheduled for
    when nobody has claimed it."""
    due = now + settings.unclaimed_update_after
    update = ScheduleFollowUp(
        HANDOFF_WAITING, due, f"{HANDOFF_WAITING}:{now.isoformat()}", f"{HANDOFF_WAITING}_1"
    )
    return (HandOff(reason), update)


def handed_off(
    reason: str, now: datetime, shop: Shop, speaker: Speaker, *, first: Reply | None = None
) -> Decision:
    """The decision that hands the conversation to a person and tells the customer so
    (after ``first``, when something else must be said before)."""
    handoff = shop.journey_map.handoff
    told = handoff_reply(now, handoff, shop.journey_map.policies.timezone, speaker)
    replies = (first, told) if first is not None else (told,)
    return Decision(
        replies=replies, language=speaker.language, commands=request(reason, now, handoff)
    )


def with_person_turn(text: str, language: str, shop: Shop, seed: str) -> Decision | None:
    """A message while the conversation waits for or is with a person: None (the bot stays
    silent; the person reads it), or, when the customer says they no longer need one, the
    way back to the bot."""
    if not wants_the_bot(text):
        return None
    speaker = Speaker(shop.replies, language, seed)
    return Decision(
        replies=(speaker.say("handoff_cancelled"),),
        language=language,
        commands=(BackToBot("the customer cancelled"),),
        log_as=LogAs("handoff", "handoff_cancelled"),
    )


def stalled_cart(amount: Decimal | None, step: int | None, settings: HandoffSettings) -> str | None:
    """The hand-off reason for a cart of at least ``high_value_cart`` whose first reminder
    falls due (None: not such a cart)."""
    threshold = settings.high_value_cart
    if threshold is None or amount is None or step != 1 or amount < threshold:
        return None
    return f"high-value cart stalled ({amount})"


def in_office_hours(now: datetime, settings: HandoffSettings, timezone: str) -> bool:
    """True when a person can answer at ``now``."""
    hours = settings.office_hours
    return hours is None or hours.contains(now.astimezone(ZoneInfo(timezone)))


def handoff_reply(
    now: datetime, settings: HandoffSettings, timezone: str, speaker: Speaker
) -> Reply:
    """What the customer is told when the conversation goes to a person."""
    if not in_office_hours(now, settings, timezone):
        return speaker.say("handoff_after_hours")
    return speaker.say("handoff", wait=_minutes(settings.expected_wait))


def decide_waiting_update(due: DueFollowUp, who: Recipient, waiting: bool, shop: Shop) -> Outcome:
    """The polite update to a customer nobody has claimed yet: sent while they still wait
    (whatever the marketing rules say: they asked for help), cancelled otherwise."""
    if not waiting:
        return Cancel("no longer waiting for a person")
    speaker = Speaker(shop.replies, who.language, f"{who.customer_id}|{due.template}")
    return Send(speaker.say(due.template, wait=_minutes(shop.journey_map.handoff.expected_wait)))


_BACK_TO_BOT = tuple(
    Phrase.parse(text)
    for text in (
        "never mind", "nevermind", "back to the bot", "cancel", "forget it", "no need",
        "no importa", "da igual", "olvidalo", "dejalo", "volver al bot", "cancelar",
        "lascia perdere", "non importa", "torna al bot", "annulla", "niente",
    )
)  # fmt: skip
_NEGATIVE = frozenset((
    "terrible", "awful", "horrible", "worst", "useless", "disgusting", "scam", "ridiculous",
    "unacceptable", "furious", "angry", "disgrace", "outrageous", "pathetic", "rubbish",
    "garbage", "fraud", "pesimo", "vergonzoso", "inaceptable", "indignado", "estafa", "basura",
    "inutil", "ridiculo", "harto", "furioso", "pessimo", "vergognoso", "inaccettabile",
    "truffa", "schifo", "inutile", "ridicolo", "arrabbiato", "stufo", "vergogna",
))  # fmt: skip
_STRONG = 1
"""Strongly negative words (shouting counts as one) that make a complaint "clearly negative"."""


def wants_the_bot(text: str) -> bool:
    """True when a customer waiting for a person says they no longer need one."""
    folded = tuple(fold(text).split())
    return len(folded) <= 6 and any(phrase.found_in(folded) for phrase in _BACK_TO_BOT)


def clearly_negative(text: str) -> bool:
    """True for a message with strongly negative words ("useless", "una vergogna"), counting
    shouting (three or more "!" or words in capitals) as one."""
    words = fold(text).split()
    score = sum(1 for word in words if word in _NEGATIVE)
    shouting = (
        text.count("!") >= 3 or sum(1 for w in text.split() if len(w) > 3 and w.isupper()) >= 2
    )
    return score + (1 if shouting else 0) >= _STRONG


def _minutes(delta: timedelta) -> str:
    return str(max(1, round(delta.total_seconds() / 60)))
