"""Writes one exchange in one transaction: the caller commits the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from bot.channels.base import InboundMessage
from bot.handoff import back_to_bot, request_person
from bot.reviews import Exchange, record_survey_steps
from bot.state import purchase_stated_columns, stage_evidence
from journeys.journey_map import JourneyMap
from journeys.model import (
    BackToBot,
    CancelFollowUp,
    Command,
    Decision,
    HandOff,
    ReviewReported,
    ScheduleFollowUp,
    SetOptOut,
)
from nlu.types import Interpretation
from storage.records import (
    CustomerContext,
    NewInbound,
    NewOutbound,
    NewTouchpoint,
    OutboxMessage,
)
from storage.uow import SqlAlchemyUnitOfWork


async def ensure_conversation(
    uow: SqlAlchemyUnitOfWork, msg: InboundMessage, ctx: CustomerContext | None, now: datetime
) -> tuple[int, int]:
    """``(customer_id, conversation_id)`` for ``msg``, creating them when new."""
    if ctx is None:
        customer_id, identity_id = await uow.customers.add(
            msg.channel, msg.sender_id, now, msg.display_name
        )
    else:
        customer_id, identity_id = ctx.customer_id, ctx.identity_id
    if ctx is not None and ctx.conversation_id is not None:
        return customer_id, ctx.conversation_id
    conversation_id = await uow.conversations.add(customer_id, identity_id, msg.channel, now)
    return customer_id, conversation_id


async def store_exchange(
    uow: SqlAlchemyUnitOfWork,
    msg: InboundMessage,
    ctx: CustomerContext | None,
    interpretation: Interpretation | None,
    decision: Decision,
    now: datetime,
    latency_ms: float,
    respond: bool,
    journey_map: JourneyMap,
) -> list[OutboxMessage]:
    """Store inbound message, touchpoint, replies, stage change and commands; return replies.

    ``respond`` marks the replies as sent (the HTTP response delivers them); otherwise they
    are pending outbox rows; ``journey_map`` says what the stage after rests on. Raises
    ``DuplicateDelivery`` for a retried delivery.
    """
    customer_id, conversation_id = await ensure_conversation(uow, msg, ctx, now)
    outbound = [
        NewOutbound(
            r.text,
            tuple((b.title, b.payload) for b in r.buttons),
            decision.answered_by,
            r.attachment(),
        )
        for r in decision.replies
    ]
    inbound_id, rows = await uow.messages.add_exchange(
        conversation_id=conversation_id,
        customer_id=customer_id,
        inbound=_inbound(msg),
        replies=outbound,
        reply_status="sent" if respond else "pending",
        now=now,
    )
    stage_before = ctx.stage if ctx else None
    changed = decision.stage_changed
    stage_after = changed.current if changed else stage_before
    purchased = ctx.purchased if ctx else False
    evidence = stage_evidence(journey_map, ctx, stage_after, purchased, decision.purchase_stated)
    point = replace(
        _touchpoint(msg, interpretation, decision, now, latency_ms),
        stage_before=stage_before, stage_after=stage_after, stage_evidence=evidence,
    )  # fmt: skip
    await uow.touchpoints.add(customer_id, conversation_id, inbound_id, point)
    if changed is not None:
        await uow.customers.add_stage_change(
            customer_id, changed.previous, changed.current, changed.reason, changed.at,
            changed.evidence,
        )  # fmt: skip
    await apply_commands(uow, decision.commands, customer_id, conversation_id, now)
    where = Exchange(customer_id, conversation_id, msg.channel, decision.language, now)
    await record_survey_steps(uow, decision, rows, where)
    ref = shop_ref(msg)
    if ref is not None:
        await uow.events.link_ref(ref, customer_id, msg.channel, msg.sender_id, now)
    await uow.customers.update_state(
        customer_id, **_customer_update(ctx, msg, decision, stage_after, now)
    )
    return rows


def shop_ref(msg: InboundMessage) -> str | None:
    """The shop's reference for this customer, if the message brings one: the widget's
    ``data-ref`` (``metadata["ref"]``) or a Telegram ``/start`` deep-link payload."""
    ref = msg.metadata.get("ref")
    if isinstance(ref, str) and ref.strip():
        return ref.strip()[:200]
    if msg.command == "start" and msg.command_args.strip():
        return msg.command_args.strip()[:200]
    return None


def _inbound(msg: InboundMessage) -> NewInbound:
    return NewInbound(msg.channel, msg.sender_id, msg.channel_message_id, msg.kind, msg.text)


def _customer_update(
    ctx: CustomerContext | None,
    msg: InboundMessage,
    decision: Decision,
    stage_after: str | None,
    now: datetime,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "stage": stage_after,
        "language": decision.language,
        "consecutive_fallbacks": decision.consecutive_fallbacks,
        "message_count": (ctx.message_count if ctx else 0) + 1,
        "last_seen_at": now,
        **purchase_stated_columns(decision.purchase_stated),
    }
    if decision.next_last_products:
        values["last_products"] = list(decision.next_last_products)
    before = ctx.selected_product if ctx else None
    if (selected := decision.next_selected(before)) != before:
        values["selected_product"] = selected
    entry = ctx.last_faq_entry if ctx else None
    if (next_entry := decision.next_faq_entry(entry)) != entry:
        values["last_faq_entry"] = next_entry
    zone = msg.metadata.get("timezone")
    if isinstance(zone, str) and zone:
        values["timezone"] = zone[:64]
    return values


def _touchpoint(
    msg: InboundMessage,
    interpretation: Interpretation | None,
    decision: Decision,
    now: datetime,
    latency_ms: float,
) -> NewTouchpoint:
    """The customer's message as the log keeps it (the caller adds the stages): the intent
    the answer served (the NLU's, or the one the core resolved it to), the NLU's beside it."""
    entities = [asdict(e) for e in interpretation.entities] if interpretation else []
    kind = "message" if interpretation else "unsupported"
    nlu_intent = interpretation.intent.name if interpretation else None
    resolved = decision.resolved
    intent = resolved.intent if resolved is not None else nlu_intent
    if decision.log_as is not None:
        kind, intent = decision.log_as.kind, decision.log_as.intent
        entities += [{"entity": name, "value": value} for name, value in decision.log_as.entities]
    return NewTouchpoint(
        channel=msg.channel,
        direction="in",
        text=msg.text,
        intent=intent,
        nlu_intent=nlu_intent,
        resolved_by=resolved.how if resolved is not None else None,
        confidence=interpretation.intent.confidence if interpretation else None,
        entities=entities,
        products=list(decision.products),
        faq_entry=decision.faq_entry,
        language=decision.language,
        answered_by=decision.answered_by,
        latency_ms=round(latency_ms, 3),
        created_at=now,
        kind=kind,
    )


async def apply_commands(
    uow: SqlAlchemyUnitOfWork,
    commands: Sequence[Command],
    customer_id: int,
    conversation_id: int | None,
    now: datetime,
) -> None:
    """Carry out the core's commands (follow-ups, opt-out, hand-off, a reported review) in
    the unit of work; the survey steps of a chat exchange are ``record_survey_steps``'."""
    for command in commands:
        match command:
            case ScheduleFollowUp(
                kind=kind, due_at=due_at, key=key, template=template, subject=subject
            ):
                await uow.follow_ups.schedule(
                    customer_id, conversation_id, kind, key, due_at, template, now, subject
                )
            case CancelFollowUp(kind=kind, reason=reason):
                await uow.follow_ups.cancel(customer_id, kind, reason, now)
            case SetOptOut(opted_out=opted_out):
                await uow.customers.update_state(customer_id, opted_out=opted_out)
            case HandOff(reason=reason) if conversation_id is not None:
                await request_person(uow, conversation_id, reason, now)
            case BackToBot(reason=reason) if conversation_id is not None:
                state = await uow.handoff.state(conversation_id)
                if state is not None:
                    await back_to_bot(uow, state, "cancel", reason, now)
            case ReviewReported(source=source):
                await uow.surveys.mark_reviewed(customer_id, source, now)


async def store_silent(
    uow: SqlAlchemyUnitOfWork,
    msg: InboundMessage,
    ctx: CustomerContext,
    now: datetime,
    journey_map: JourneyMap,
) -> None:
    """Store a message of a conversation a person has taken over: no reply, no NLU."""
    assert ctx.conversation_id is not None
    inbound_id = await uow.messages.add_inbound(
        conversation_id=ctx.conversation_id,
        customer_id=ctx.customer_id,
        channel=msg.channel,
        sender_id=msg.sender_id,
        channel_message_id=msg.channel_message_id,
        kind=msg.kind,
        text=msg.text,
        now=now,
    )
    await uow.touchpoints.add(
        ctx.customer_id,
        ctx.conversation_id,
        inbound_id,
        NewTouchpoint(
            channel=msg.channel,
            direction="in",
            text=msg.text,
            language=ctx.language,
            stage_before=ctx.stage,
            stage_after=ctx.stage,
            stage_evidence=stage_evidence(journey_map, ctx, ctx.stage, ctx.purchased, None),
            created_at=now,
        ),
    )
    await uow.conversations.touch(ctx.conversation_id, now)
    await uow.customers.update_state(ctx.customer_id, last_seen_at=now)
