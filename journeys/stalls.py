"""Stalled purchases in chat: objections answered at once, quiet buyers reminded later.

A ``hesitation`` message is read for its objection: the price ("too expensive", "es muy
caro", "costa troppo"), the shipping ("shipping is too much", "los gastos de envío",
"la spedizione"), or plain doubt ("I'll think about it", "no estoy seguro", "ci penso").
The reply is the shop's template for that objection (``hesitation_price``,
``hesitation_shipping``, ``hesitation_unsure``) when it has one, else ``hesitation``.

A customer whose message leaves them in the stage a started checkout signals (the buying
stage, whatever the shop calls it) gets the journey map's ``chat_quiet`` follow-up: each
new message moves it later, so it fires only once the conversation has gone quiet. After a
hesitation its template is ``chat_hesitation_1`` (answering the doubt), else
``chat_quiet_1``. An order cancels it like the cart reminders.
"""

from __future__ import annotations

from datetime import datetime

from journeys.model import CancelFollowUp, Command, ScheduleFollowUp
from journeys.replies import Speaker
from journeys.shop import Shop
from journeys.text import words

HESITATION = "hesitation"
CHAT_QUIET = "chat_quiet"
BUYING_SIGNAL = "checkout_started"

OBJECTIONS = ("shipping", "price")
"""The objections a shop's ``word_lists`` may name (``objection_shipping``...), in the order
they are looked for; anything else is ``unsure``."""


def objection(text: str, speaker: Speaker) -> str:
    """``price``, ``shipping`` or ``unsure``: what holds the customer back."""
    found = words(text)
    return next((o for o in OBJECTIONS if speaker.says(f"objection_{o}", found)), "unsure")


def hesitation_template(text: str, speaker: Speaker) -> str:
    """The template answering this objection (``hesitation`` if the shop has no special one)."""
    special = f"{HESITATION}_{objection(text, speaker)}"
    return special if speaker.has(special) else HESITATION


def quiet_commands(
    intent: str, stage_before: str | None, stage_after: str | None, now: datetime, shop: Shop
) -> tuple[Command, ...]:
    """Move the ``chat_quiet`` follow-up later, or drop it when the customer leaves the
    buying stage; nothing for customers who are not buying."""
    cadence = shop.journey_map.follow_up(CHAT_QUIET)
    buying = shop.journey_map.stage_for_signal(BUYING_SIGNAL)
    if cadence is None or buying is None or buying not in (stage_before, stage_after):
        return ()
    cancel = CancelFollowUp(CHAT_QUIET, reason="the customer wrote again")
    if stage_after != buying:
        return (cancel,)
    step = "chat_hesitation_1" if intent == HESITATION else "chat_quiet_1"
    due = now + cadence.delays[0]
    return (cancel, ScheduleFollowUp(CHAT_QUIET, due, f"{CHAT_QUIET}:{now.isoformat()}", step))
