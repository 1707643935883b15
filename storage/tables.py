"""The tables, as SQLAlchemy 2 declarative classes. No business rules live here."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable Alembic names)."""

    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_pseudonym() -> str:
    """A random, stable stand-in for a customer in analytics and exports."""
    return secrets.token_hex(8)


class Customer(Base):
    """A person, whatever channel they reach us on."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_pseudonym", "pseudonym", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str | None] = mapped_column(String(32), default=new_pseudonym)
    """How exports and analytics name the customer: random, so it reveals nothing."""
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    stage: Mapped[str | None] = mapped_column(String(64))
    purchased: Mapped[bool] = mapped_column(Boolean, default=False)
    """A purchase the shop's events confirmed (an order)."""
    purchase_stated: Mapped[bool] = mapped_column(Boolean, default=False)
    """The customer's own words say they bought ("where is my parcel?")."""
    stage_before_purchase: Mapped[str | None] = mapped_column(String(64))
    """Where the customer was before saying they bought: where taking it back returns them."""
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    consecutive_fallbacks: Mapped[int] = mapped_column(Integer, default=0)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    last_products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    selected_product: Mapped[str | None] = mapped_column(String(64))
    """Of ``last_products``, the one named or picked alone last ("is it in stock?")."""
    last_faq_entry: Mapped[str | None] = mapped_column(String(100))
    """The FAQ entry answered last ("and to Switzerland?" goes on about its topic)."""
    timezone: Mapped[str | None] = mapped_column(String(64))
    """The customer's IANA time zone, when a channel tells it (the widget does)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ChannelIdentity(Base):
    """One way of reaching a customer: (channel, the channel's id for them)."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Conversation(Base):
    """A thread between a customer and the shop on one channel identity."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_identity_status", "identity_id", "status"),
        Index("ix_conversations_staff_topic", "staff_topic_id", unique=True),
        Index("ix_conversations_last_message", "last_message_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="bot")
    """``bot``, ``waiting`` (for a person), ``agent`` or ``closed`` (see journeys.handoff)."""
    needs_human: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The person who owns the conversation (status ``agent``)."""
    handoff_reason: Mapped[str | None] = mapped_column(String(200))
    waiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    staff_topic_id: Mapped[int | None] = mapped_column(Integer)
    """The topic of the Telegram staff group that mirrors this conversation."""
    staff_synced_id: Mapped[int] = mapped_column(Integer, default=0)
    """The last message mirrored into that topic."""


class Message(Base):
    """Inbound and outbound messages; outbound rows with status ``pending`` are the outbox."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id"),
        Index("ix_messages_outbox", "status", "next_attempt_at"),
        Index("ix_messages_recipient", "channel", "recipient_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(200))
    channel_message_id: Mapped[str | None] = mapped_column(String(200))
    delivered_id: Mapped[str | None] = mapped_column(String(200))
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    answered_by: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Touchpoint(Base):
    """One logged exchange: what the customer said, what we understood and who answered."""

    __tablename__ = "touchpoints"
    __table_args__ = (Index("ix_touchpoints_intent_created", "intent", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    channel: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16), default="message")
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(100))
    """The intent the exchange served: the NLU's, or the one the bot resolved it to."""
    nlu_intent: Mapped[str | None] = mapped_column(String(100))
    """The NLU's own top intent (``confidence`` is its score), whatever ``intent`` says."""
    resolved_by: Mapped[str | None] = mapped_column(String(16))
    """How the bot answered a message the NLU did not read as ``intent``: ``context``,
    ``product`` or ``faq``; None when the NLU's intent was answered."""
    confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    faq_entry: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(8))
    stage_before: Mapped[str | None] = mapped_column(String(64))
    stage_after: Mapped[str | None] = mapped_column(String(64))
    stage_evidence: Mapped[str | None] = mapped_column(String(16))
    """What ``stage_after`` rests on: ``confirmed`` (the shop's events), ``stated`` (the
    customer's words), None for a stage that needs no purchase (or no stage logged)."""
    answered_by: Mapped[str | None] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The person who answered (``answered_by`` agent) or acted (handoff steps)."""
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class StageHistory(Base):
    """Every stage change of a customer, with the reason."""

    __tablename__ = "stage_history"
    __table_args__ = (Index("ix_stage_history_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    previous: Mapped[str | None] = mapped_column(String(64))
    current: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    evidence: Mapped[str | None] = mapped_column(String(16))
    """What ``current`` rests on (``confirmed``, ``stated``, None); a row with ``previous ==
    current`` is a change of evidence only (a stated purchase an order confirms)."""
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class CustomerRef(Base):
    """A reference the shop knows a chat customer by: a cart token, its customer id, an email.

    Made when the widget passes ``data-ref`` or a Telegram ``/start`` link carries one; a
    commerce event naming the reference then belongs to that customer.
    """

    __tablename__ = "customer_refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CommerceEvent(Base):
    """An event the shop reported (cart, checkout, order, review); ``event_id`` is unique."""

    __tablename__ = "commerce_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    cart_id: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[str | None] = mapped_column(String(200))
    total: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str | None] = mapped_column(String(3))
    cart_url: Mapped[str | None] = mapped_column(String(2000))
    recovered: Mapped[bool] = mapped_column(Boolean, default=False)
    """An order that followed a cart reminder within the attribution window."""
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FollowUp(Base):
    """A proactive message to send later (cart recovery, review prompt)."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("customer_id", "key"),
        Index("ix_follow_ups_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    """The cart or order the follow-up is about."""
    template: Mapped[str] = mapped_column(String(100), default="")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Survey(Base):
    """A satisfaction (CSAT) question, its answer, and the review invitation it led to.

    ``token`` makes the tracked review link ``/r/<token>``; it works once ``invited_at`` is
    set, until ``link_expires_at``. ``policy``, ``invited`` and ``invite_reason`` record the
    review-policy decision for audit.
    """

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_customer", "customer_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    trigger: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(200))
    """The order or conversation asked about."""
    product_id: Mapped[str | None] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[str | None] = mapped_column(String(32))
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_reason: Mapped[str | None] = mapped_column(String(200))
    review_url: Mapped[str | None] = mapped_column(String(2000))
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    link_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    first_clicked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_source: Mapped[str | None] = mapped_column(String(16))
    """``event`` (the shop reported the review) or ``customer`` (they said so in chat)."""


class User(Base):
    """A member of staff: an ``agent`` (conversations), ``marketer`` (analytics) or ``admin``."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_telegram_id", "telegram_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    """argon2id, as argon2-cffi writes it."""
    telegram_id: Mapped[str | None] = mapped_column(String(32))
    """Their Telegram user id, to answer from the staff group's topics."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffSession(Base):
    """A logged-in browser: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Note(Base):
    """An internal note on a conversation, for staff only."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A token for the analytics API (``journeybot tokens add``); only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TouchpointDay(Base):
    """Customer messages summed per day (UTC), channel, language, stage and intent, with the
    sum of their sentiment: what the dashboard's counts and emotion curve read at scale.
    Kept up to date from the touchpoint log by ``bot.analytics.summaries``."""

    __tablename__ = "touchpoint_days"
    __table_args__ = (UniqueConstraint("day", "channel", "language", "stage", "intent"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(100))
    messages: Mapped[int] = mapped_column(Integer)
    sentiment_sum: Mapped[float] = mapped_column(Float)


class MentionDay(Base):
    """Per day and channel: how often each product was talked about (``kind`` product), and
    each message the NLU did not understand (``kind`` unrecognised, its lower-cased text)."""

    __tablename__ = "mention_days"
    __table_args__ = (UniqueConstraint("day", "channel", "kind", "value"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    times: Mapped[int] = mapped_column(Integer)


class SummaryState(Base):
    """How far the summaries have read the touchpoint log."""

    __tablename__ = "summary_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


class CustomerStage(Base):
    """When a customer first reached a stage, and the evidence of their latest change into
    it: what the funnel counts, kept with every stage change
    (``CustomerRepository.add_stage_change``)."""

    __tablename__ = "customer_stages"
    __table_args__ = (
        UniqueConstraint("customer_id", "stage"),
        Index("ix_customer_stages_stage_first", "stage", "first_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    stage: Mapped[str] = mapped_column(String(64))
    first_at: Mapped[datetime] = mapped_column(UtcDateTime())
    evidence: Mapped[str | None] = mapped_column(String(16))
