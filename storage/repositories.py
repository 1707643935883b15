"""Repositories: add, get and list rows of one aggregate each. They never commit.

Each takes the unit of work's connection and runs the prebuilt Core statements of
``storage.statements`` with parameter dicts; every method returns plain data (``records``).
Messages and the outbox live in ``storage.messages``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from storage import statements as s
from storage import tables as t
from storage.messages import MessageRepository
from storage.records import CustomerContext, NewTouchpoint
from storage.repository_base import Repository
from storage.statements import table

OPEN_STATUSES = s.OPEN_STATUSES
__all__ = [
    "ConversationRepository",
    "CustomerRepository",
    "FollowUpRepository",
    "MessageRepository",
    "TouchpointRepository",
]


class CustomerRepository(Repository):
    """Customers and the channel identities that reach them."""

    async def context(self, channel: str, external_id: str) -> CustomerContext | None:
        """The customer behind ``(channel, external_id)`` with their open conversation."""
        result = await self.connection.execute(
            s.customer_context(), {"b_channel": channel, "b_external_id": external_id}
        )
        row = result.first()
        if row is None:
            return None
        (customer_id, identity_id, stage, language, purchased, stated, before, opted_out,
         fallbacks, count, products, selected, faq_entry, last_seen_at, conversation_id,
         conversation_status) = row  # fmt: skip
        return CustomerContext(
            customer_id=customer_id,
            identity_id=identity_id,
            stage=stage,
            language=language,
            purchased=bool(purchased),
            purchase_stated=bool(stated),
            stage_before_purchase=before,
            opted_out=bool(opted_out),
            consecutive_fallbacks=fallbacks or 0,
            message_count=count or 0,
            last_products=tuple(products or ()),
            selected_product=selected,
            last_faq_entry=faq_entry,
            last_seen_at=last_seen_at,
            conversation_id=conversation_id,
            conversation_status=conversation_status,
        )

    async def add(
        self, channel: str, external_id: str, now: datetime, display_name: str | None = None
    ) -> tuple[int, int]:
        """Create a customer with one identity; return ``(customer_id, identity_id)``."""
        customer_id = await self.insert(
            t.Customer, {"display_name": display_name, "created_at": now, "last_products": []}
        )
        identity_id = await self.insert(
            t.ChannelIdentity,
            {
                "customer_id": customer_id,
                "channel": channel,
                "external_id": external_id,
                "created_at": now,
            },
        )
        return customer_id, identity_id

    async def update_state(self, customer_id: int, **values: Any) -> None:
        """Set columns of one customer (stage, language, counters, ...)."""
        await self.update(t.Customer, customer_id, values)

    async def add_stage_change(
        self,
        customer_id: int,
        previous: str | None,
        current: str,
        reason: str,
        at: datetime,
        evidence: str | None = None,
    ) -> None:
        """Append one step to the customer's stage history, with the ``evidence`` the stage
        now rests on (and note the first time they reached the stage, and this evidence)."""
        await self.connection.execute(
            s.reached_stage(self.connection.dialect.name),
            {"customer_id": customer_id, "stage": current, "first_at": at, "evidence": evidence},
        )
        await self.connection.execute(
            s.insert_rows(t.StageHistory),
            {
                "customer_id": customer_id,
                "previous": previous,
                "current": current,
                "reason": reason,
                "at": at,
                "evidence": evidence,
            },
        )

    async def stage_history(self, customer_id: int) -> list[tuple[str | None, str, datetime]]:
        """``(previous, current, at)`` for each stage change, oldest first."""
        rows = await self.connection.execute(s.stage_history(), {"b_customer_id": customer_id})
        return [(p, c, at) for p, c, at in rows]


class ConversationRepository(Repository):
    """Conversations between a customer identity and the shop."""

    async def add(self, customer_id: int, identity_id: int, channel: str, now: datetime) -> int:
        """Open a conversation handled by the bot; return its id."""
        return await self.insert(
            t.Conversation,
            {
                "customer_id": customer_id,
                "identity_id": identity_id,
                "channel": channel,
                "status": "bot",
                "started_at": now,
                "last_message_at": now,
            },
        )

    async def touch(self, conversation_id: int, now: datetime, **values: Any) -> None:
        """Record activity (and optionally set ``needs_human`` / ``status``)."""
        await self.update(t.Conversation, conversation_id, {"last_message_at": now, **values})

    async def close(self, conversation_id: int) -> int | None:
        """Close an open conversation; return its customer's id (None: no open one)."""
        c = table(t.Conversation)
        stmt = (
            update(c)
            .where(c.c.id == conversation_id, c.c.status.in_(OPEN_STATUSES))
            .values(status="closed", needs_human=False)
            .returning(c.c.customer_id)
        )
        customer_id: int | None = (await self.connection.execute(stmt)).scalar_one_or_none()
        return customer_id


class TouchpointRepository(Repository):
    """The touchpoint log."""

    async def add(
        self,
        customer_id: int,
        conversation_id: int | None,
        message_id: int | None,
        tp: NewTouchpoint,
    ) -> None:
        """Log one touchpoint."""
        await self.connection.execute(
            s.insert_rows(t.Touchpoint),
            {
                "customer_id": customer_id,
                "conversation_id": conversation_id,
                "message_id": message_id,
                "channel": tp.channel,
                "direction": tp.direction,
                "kind": tp.kind,
                "text": tp.text,
                "intent": tp.intent,
                "nlu_intent": tp.nlu_intent,
                "resolved_by": tp.resolved_by,
                "confidence": tp.confidence,
                "entities": tp.entities,
                "products": tp.products,
                "faq_entry": tp.faq_entry,
                "language": tp.language,
                "stage_before": tp.stage_before,
                "stage_after": tp.stage_after,
                "stage_evidence": tp.stage_evidence,
                "answered_by": tp.answered_by,
                "agent_id": tp.agent_id,
                "latency_ms": tp.latency_ms,
                "created_at": tp.created_at,
            },
        )


class FollowUpRepository(Repository):
    """Follow-ups to send later."""

    async def schedule(
        self,
        customer_id: int,
        conversation_id: int | None,
        kind: str,
        key: str,
        due_at: datetime,
        template: str,
        now: datetime,
        subject: str | None = None,
    ) -> None:
        """Queue a follow-up unless one with the same key exists for the customer."""
        await self.connection.execute(
            s.follow_up_once(self.connection.dialect.name),
            {
                "customer_id": customer_id,
                "conversation_id": conversation_id,
                "kind": kind,
                "key": key,
                "template": template,
                "subject": subject,
                "due_at": due_at,
                "status": "pending",
                "created_at": now,
                "updated_at": now,
            },
        )

    async def cancel(self, customer_id: int, kind: str | None, reason: str, now: datetime) -> None:
        """Cancel the customer's pending follow-ups of ``kind`` (all kinds when None)."""
        params: dict[str, Any] = {
            "b_customer_id": customer_id,
            "status": "cancelled",
            "reason": reason,
            "updated_at": now,
        }
        if kind is not None:
            params["b_kind"] = kind
        await self.connection.execute(s.cancel_follow_ups(kind is not None), params)
