"""The one path every inbound message takes, whatever its channel.

1. check the input (non-empty, at most 4096 characters);
2. find the customer and their open conversation (nothing is created yet; a read-only
   unit, no transaction);
3. if a person has taken the conversation over: store the message, stay silent;
4. interpret (NLU, or the command / button payload) and decide (``journeys``);
5. in ONE transaction: create the customer/conversation if new, store the inbound message
   (the unique (channel, channel message id) makes a retried delivery a no-op), the
   touchpoint, the outgoing messages as outbox rows, the stage change and follow-ups;
6. after commit, deliver the outbox rows (channels that answer in the HTTP response have
   their replies stored as sent, because the response is the delivery).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.channels.base import (
    KIND_UNSUPPORTED,
    MAX_TEXT_LENGTH,
    InboundMessage,
    OutgoingMessage,
)
from bot.interpret import Interpreter
from bot.keyed_lock import KeyedLock
from bot.outbox import Outbox, outgoing
from bot.reviews import to_survey
from bot.state import customer_state
from bot.transaction import store_exchange, store_silent
from journeys.dialogue import decide, decide_unsupported
from journeys.handoff import WITH_PERSON, with_person_turn
from journeys.model import CustomerState, Decision
from journeys.shop import Shop
from nlu.types import Interpretation
from storage.errors import DuplicateDelivery
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class InvalidMessage(ValueError):
    """The inbound message cannot be processed; the text says why."""


@dataclass(frozen=True, slots=True)
class HandleResult:
    """What happened to one inbound message."""

    replies: list[OutgoingMessage] = field(default_factory=list)
    duplicate: bool = False
    silent: bool = False
    conversation_id: int | None = None


def check_inbound(msg: InboundMessage) -> None:
    """Refuse empty, whitespace-only and over-long messages with a clear reason."""
    if not msg.sender_id or not msg.sender_id.strip():
        raise InvalidMessage("sender must be a non-empty string")
    if msg.kind == KIND_UNSUPPORTED:
        return
    if not msg.text or not msg.text.strip():
        raise InvalidMessage("message is empty")
    if len(msg.text) > MAX_TEXT_LENGTH:
        raise InvalidMessage(
            f"message is {len(msg.text)} characters long; the limit is {MAX_TEXT_LENGTH}"
        )


class Pipeline:
    """Runs inbound messages through interpretation, decision, storage and delivery."""

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        interpreter: Interpreter,
        shop: Shop,
        outbox: Outbox,
        clock: Callable[[], datetime],
        response_channels: frozenset[str] = frozenset({"rest", "terminal"}),
        base_url: str = "http://127.0.0.1:8000",
        changed: Callable[[int], None] = lambda _conversation: None,
    ) -> None:
        self.uow = uow
        self.interpreter = interpreter
        self.shop = shop
        self.outbox = outbox
        self.clock = clock
        self.response_channels = response_channels
        self.base_url = base_url
        self.changed = changed
        """Told the id of each conversation a message changed (the console's live view)."""
        self._locks = KeyedLock()

    async def handle(self, msg: InboundMessage) -> HandleResult:
        """Process one inbound message end to end; see the module docstring."""
        check_inbound(msg)
        async with self._locks.hold((msg.channel, msg.sender_id)):
            try:
                result, outbox_ids = await self._handle_once(msg)
            except IntegrityError:
                # Another worker created this customer at the same moment: go again.
                log.info("retrying %s/%s after a concurrent insert", msg.channel, msg.sender_id)
                result, outbox_ids = await self._handle_once(msg)
        if outbox_ids:
            await self.outbox.deliver(outbox_ids)
        if result.conversation_id is not None:
            self.changed(result.conversation_id)
        return result

    async def _handle_once(self, msg: InboundMessage) -> tuple[HandleResult, list[int]]:
        started = time.perf_counter()
        now = self.clock()
        async with self.uow.read_only() as uow:
            ctx = await uow.customers.context(msg.channel, msg.sender_id)
            survey = await uow.surveys.latest(ctx.customer_id) if ctx else None
        try:
            state = customer_state(ctx, msg, to_survey(survey, self.base_url))
            interpretation: Interpretation | None = None
            if ctx is not None and ctx.conversation_status in WITH_PERSON:
                language = ctx.language or self.shop.journey_map.default_language
                seed = f"{ctx.customer_id}|{now.isoformat()}"
                back = with_person_turn(msg.text, language, self.shop, seed)
                if back is None:
                    async with self.uow() as uow:
                        await store_silent(uow, msg, ctx, now, self.shop.journey_map)
                        await uow.commit()
                    return HandleResult(silent=True, conversation_id=ctx.conversation_id), []
                decision = back
            else:
                interpretation = await self.interpreter.interpret(msg, state.language)
                decision = self._decide(state, interpretation, now)
            respond = msg.channel in self.response_channels
            latency_ms = (time.perf_counter() - started) * 1000
            async with self.uow() as uow:
                rows = await store_exchange(
                    uow, msg, ctx, interpretation, decision, now, latency_ms, respond,
                    self.shop.journey_map,
                )  # fmt: skip
                await uow.commit()
        except DuplicateDelivery:
            return await self._stored_answer(msg), []
        replies = [outgoing(r) for r in rows]
        conversation = rows[0].conversation_id if rows else None
        result = HandleResult(replies=replies, conversation_id=conversation)
        return result, ([] if respond else [r.id for r in rows])

    def _decide(
        self, state: CustomerState, interpretation: Interpretation | None, now: datetime
    ) -> Decision:
        if interpretation is None:
            return decide_unsupported(state, now, self.shop)
        return decide(state, interpretation, now, self.shop)

    async def _stored_answer(self, msg: InboundMessage) -> HandleResult:
        async with self.uow.read_only() as uow:
            rows = await uow.messages.replies_to(msg.channel, msg.channel_message_id or "")
        log.info("duplicate %s message %s: replaying", msg.channel, msg.channel_message_id)
        return HandleResult(replies=[outgoing(r) for r in rows], duplicate=True)
