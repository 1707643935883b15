"""The shell of the hand-off state machine: moves written down, each step a touchpoint.

The moves themselves are ``journeys.handoff``'s; ``storage.handoff.move`` applies one only if
the conversation is still in the state that was read, so concurrent moves cannot both win.
Every step is logged as a ``handoff`` touchpoint (intent ``handoff_requested``,
``handoff_claimed``, ``handoff_released``, ``handoff_cancelled``, ``handoff_closed``) with
the agent's id where a person acted, so analytics can show escalation rates and response
times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journeys.handoff import BOT, HANDOFF_WAITING, WITH_PERSON, next_state
from journeys.model import ANSWERED_BY_AGENT
from storage.handoff import HandoffState
from storage.records import NewTouchpoint
from storage.uow import SqlAlchemyUnitOfWork

_CLEARED: dict[str, Any] = {"agent_id": None, "waiting_since": None, "needs_human": False}
"""What a conversation back with the bot no longer has."""


async def request_person(
    uow: SqlAlchemyUnitOfWork, conversation_id: int, reason: str, now: datetime
) -> bool:
    """Queue a conversation the bot has for a person; False when it is not the bot's."""
    state = await uow.handoff.state(conversation_id)
    if state is None or state.status != BOT:
        return False
    waiting = next_state(BOT, "request")
    values = {"waiting_since": now, "handoff_reason": reason[:200], "needs_human": True}
    if not await uow.handoff.move(conversation_id, BOT, waiting, **values):
        return False
    await log_step(uow, state, "requested", reason, now)
    return True


async def back_to_bot(
    uow: SqlAlchemyUnitOfWork,
    state: HandoffState,
    move: str,
    reason: str,
    now: datetime,
    agent_id: int | None = None,
) -> bool:
    """``cancel`` (the customer) or ``release`` (a person): the bot answers again."""
    if state.status not in WITH_PERSON:
        return False
    target = next_state(state.status, move)
    if not await uow.handoff.move(state.conversation_id, state.status, target, **_CLEARED):
        return False
    await uow.follow_ups.cancel(state.customer_id, HANDOFF_WAITING, reason, now)
    step = "cancelled" if move == "cancel" else "released"
    await log_step(uow, state, step, reason, now, agent_id)
    return True


async def log_step(
    uow: SqlAlchemyUnitOfWork,
    state: HandoffState,
    step: str,
    text: str,
    now: datetime,
    agent_id: int | None = None,
) -> None:
    """The ``handoff`` touchpoint of one step."""
    point = NewTouchpoint(
        state.channel, "in" if agent_id is None else "out", text, now, "handoff",
        f"handoff_{step}", language=state.language, stage_before=state.stage,
        stage_after=state.stage, stage_evidence=state.stage_evidence,
        answered_by=ANSWERED_BY_AGENT if agent_id else None, agent_id=agent_id,
    )  # fmt: skip
    await uow.touchpoints.add(state.customer_id, state.conversation_id, None, point)
