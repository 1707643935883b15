"""What support staff do to a conversation: claim, reply, note, release, close.

Each action is one transaction; messages to the customer go through the outbox (so the
customer's own channel delivers them, retried like any other) and every step is a touchpoint.
A claim only wins if the conversation is still in the state it was read in, so when two
agents claim at once the second is told who has it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.channels.base import MAX_TEXT_LENGTH
from bot.handoff import back_to_bot, log_step
from bot.outbox import Outbox
from bot.transaction import apply_commands
from journeys.handoff import AGENT, CLOSED, HANDOFF_WAITING, OPEN, next_state
from journeys.model import ANSWERED_BY_AGENT, ANSWERED_BY_BOT
from journeys.replies import Speaker
from journeys.reviews import support_closed
from journeys.shop import Shop
from storage.handoff import HandoffState
from storage.records import NewOutbound, NewTouchpoint
from storage.staff import StaffUser
from storage.uow import SqlAlchemyUnitOfWork, UnitOfWorkFactory

MAX_NOTE = 4000
AGENT_REPLY = "agent_reply"
"""The intent an agent's message is logged with (the support figures look for it)."""


class DeskError(Exception):
    """An action that cannot be done; the text says why, for the agent."""


class UnknownConversation(DeskError, LookupError):
    """No conversation has this id."""


class Taken(DeskError):
    """Another person has the conversation."""


class SupportDesk:
    """The console's actions on conversations."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        outbox: Outbox,
        shop: Shop,
        clock: Callable[[], datetime],
        changed: Callable[[int], None] = lambda _conversation: None,
    ) -> None:
        self.uow, self.outbox, self.shop, self.clock, self.changed = (
            uow,
            outbox,
            shop,
            clock,
            changed,
        )

    async def claim(self, conversation_id: int, user: StaffUser) -> None:
        """Take the conversation; the customer is told a person has joined."""
        now = self.clock()
        async with self.uow() as uow:
            state = await self._state(uow, conversation_id)
            if state.status == AGENT and state.agent_id != user.id:
                raise Taken(f"{state.agent} has this conversation")
            if state.status == AGENT:
                return
            target = _move(state, "claim")
            if not await uow.handoff.move(
                conversation_id, state.status, target, agent_id=user.id, claimed_at=now,
                needs_human=False,
            ):  # fmt: skip
                now_state = await self._state(uow, conversation_id)
                raise Taken(f"{now_state.agent or 'someone else'} has this conversation")
            await uow.follow_ups.cancel(state.customer_id, HANDOFF_WAITING, "claimed", now)
            await log_step(uow, state, "claimed", user.name, now, user.id)
            text = self._speaker(state, now).say("handoff_joined", agent=user.name).text
            ids = await _send(uow, state, text, ANSWERED_BY_BOT, now)
            await uow.commit()
        await self._after(conversation_id, ids)

    async def reply(
        self, conversation_id: int, user: StaffUser, text: str, via: str | None = None
    ) -> None:
        """Send ``text`` to the customer as ``user``, through their channel (``via``: where
        the agent wrote it, when not in the console)."""
        text = text.strip()
        if not text or len(text) > MAX_TEXT_LENGTH:
            raise DeskError(f"a reply needs 1 to {MAX_TEXT_LENGTH} characters")
        now = self.clock()
        async with self.uow() as uow:
            state = await self._mine(uow, conversation_id, user)
            ids = await _send(uow, state, text, ANSWERED_BY_AGENT, now, user, via)
            await uow.commit()
        await self._after(conversation_id, ids)

    async def note(self, conversation_id: int, user: StaffUser, text: str) -> None:
        """An internal note: the customer never sees it."""
        text = text.strip()
        if not text or len(text) > MAX_NOTE:
            raise DeskError(f"a note needs 1 to {MAX_NOTE} characters")
        async with self.uow() as uow:
            await self._state(uow, conversation_id)
            await uow.staff.add_note(conversation_id, user.id, text, self.clock())
            await uow.commit()
        self.changed(conversation_id)

    async def release(self, conversation_id: int, user: StaffUser) -> None:
        """Hand the conversation back to the bot; the customer is told."""
        now = self.clock()
        async with self.uow() as uow:
            state = await self._state(uow, conversation_id)
            if state.status == AGENT and state.agent_id != user.id:
                raise Taken(f"{state.agent} has this conversation")
            _move(state, "release")
            if not await back_to_bot(uow, state, "release", user.name, now, user.id):
                raise DeskError("the conversation changed meanwhile; reload the page")
            text = self._speaker(state, now).say("handoff_released").text
            ids = await _send(uow, state, text, ANSWERED_BY_BOT, now)
            await uow.commit()
        await self._after(conversation_id, ids)

    async def close(self, conversation_id: int, user: StaffUser | None) -> None:
        """Close the conversation; its CSAT question about the service follows."""
        now = self.clock()
        async with self.uow() as uow:
            state = await self._state(uow, conversation_id)
            if user is not None and state.status == AGENT and state.agent_id != user.id:
                raise Taken(f"{state.agent} has this conversation")
            _move(state, "close")
            if not await uow.handoff.move(conversation_id, state.status, CLOSED, needs_human=False):
                raise DeskError("the conversation changed meanwhile; reload the page")
            await uow.follow_ups.cancel(state.customer_id, HANDOFF_WAITING, "closed", now)
            await log_step(
                uow, state, "closed", user.name if user else "", now, user.id if user else None
            )
            commands = support_closed(conversation_id, now, self.shop.journey_map)
            await apply_commands(uow, commands, state.customer_id, conversation_id, now)
            await uow.commit()
        self.changed(conversation_id)

    async def _state(self, uow: SqlAlchemyUnitOfWork, conversation_id: int) -> HandoffState:
        state = await uow.handoff.state(conversation_id)
        if state is None:
            raise UnknownConversation(f"no conversation has id {conversation_id}")
        return state

    async def _mine(
        self, uow: SqlAlchemyUnitOfWork, conversation_id: int, user: StaffUser
    ) -> HandoffState:
        state = await self._state(uow, conversation_id)
        if state.status != AGENT:
            raise DeskError("claim the conversation before replying")
        if state.agent_id != user.id:
            raise Taken(f"{state.agent} has this conversation")
        return state

    def _speaker(self, state: HandoffState, now: datetime) -> Speaker:
        language = state.language or self.shop.journey_map.default_language
        return Speaker(self.shop.replies, language, f"{state.customer_id}|{now.isoformat()}")

    async def _after(self, conversation_id: int, ids: list[int]) -> None:
        await self.outbox.deliver(ids)
        self.changed(conversation_id)


def _move(state: HandoffState, move: str) -> str:
    """The state ``move`` leads to, or ``DeskError`` saying why it cannot be done."""
    if state.status not in OPEN and move != "close":
        raise DeskError(f"the conversation is {state.status}")
    try:
        return next_state(state.status, move)
    except ValueError as exc:
        raise DeskError(str(exc)) from exc


async def _send(
    uow: SqlAlchemyUnitOfWork,
    state: HandoffState,
    text: str,
    answered_by: str,
    now: datetime,
    user: StaffUser | None = None,
    via: str | None = None,
) -> list[int]:
    """Queue a message to the customer, with its touchpoint; return the outbox ids."""
    attachment: dict[str, str] | None = None
    if user is not None:
        attachment = {"agent": user.name, **({"via": via} if via else {})}
    queued = await uow.messages.add_outbound(
        conversation_id=state.conversation_id,
        customer_id=state.customer_id,
        channel=state.channel,
        recipient_id=state.recipient_id,
        messages=[NewOutbound(text, (), answered_by, attachment)],
        in_reply_to=None,
        status="pending",
        now=now,
    )
    point = NewTouchpoint(
        state.channel, "out", text, now, intent=AGENT_REPLY if user else None,
        language=state.language, stage_before=state.stage, stage_after=state.stage,
        stage_evidence=state.stage_evidence, answered_by=answered_by,
        agent_id=user.id if user else None,
    )  # fmt: skip
    await uow.touchpoints.add(state.customer_id, state.conversation_id, queued[0].id, point)
    await uow.conversations.touch(state.conversation_id, now)
    return [m.id for m in queued]
