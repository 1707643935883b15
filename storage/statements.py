"""Core statements the repositories run, each built once on first use and then reused.

They take their values as execution parameters (a dict, or a list of dicts for many rows),
so a call neither rebuilds the statement nor recomputes its cache key: SQLAlchemy finds the
compiled form in its cache. Parameters in WHERE clauses are named ``b_*`` so they never
clash with the column values an INSERT or UPDATE takes from the same dict.

Writes whose outcome the repositories never read carry the ``DEFERRABLE`` option: on SQLite
they travel with the next statement or the commit (see ``storage.sqlite``).
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, Update, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage import tables as t
from storage.sqlite import DEFERRABLE

OPEN_STATUSES = ("bot", "waiting", "agent")
NO_OUTCOME = {DEFERRABLE: True}


def table(model: type[t.Base]) -> Table:
    """The Core table behind a declarative class."""
    return cast(Table, model.__table__)


@cache
def insert_returning_id(model: type[t.Base]) -> Insert:
    """``INSERT ... RETURNING id``; a list of rows becomes one multi-row statement."""
    tbl = table(model)
    return insert(tbl).returning(tbl.c.id)


@cache
def insert_rows(model: type[t.Base]) -> Insert:
    """A plain ``INSERT`` (columns from the parameters); nothing comes back."""
    return insert(table(model)).execution_options(**NO_OUTCOME)


@cache
def update_by_id(model: type[t.Base]) -> Update:
    """``UPDATE ... WHERE id = :b_id``; the SET columns come from the parameters."""
    tbl = table(model)
    return update(tbl).where(tbl.c.id == bindparam("b_id")).execution_options(**NO_OUTCOME)


@cache
def customer_context() -> Select[Any]:
    """Identity, customer and open conversation by ``:b_channel`` and ``:b_external_id``."""
    ident, cust, conv = table(t.ChannelIdentity), table(t.Customer), table(t.Conversation)
    open_id = (
        select(func.max(conv.c.id))
        # OR rather than IN: an IN list is re-rendered on every execution
        .where(conv.c.identity_id == ident.c.id, or_(*(conv.c.status == v for v in OPEN_STATUSES)))
        .correlate(ident)
        .scalar_subquery()
    )
    columns = (
        cust.c.id,
        ident.c.id,
        cust.c.stage,
        cust.c.language,
        cust.c.purchased,
        cust.c.purchase_stated,
        cust.c.stage_before_purchase,
        cust.c.opted_out,
        cust.c.consecutive_fallbacks,
        cust.c.message_count,
        cust.c.last_products,
        cust.c.selected_product,
        cust.c.last_faq_entry,
        cust.c.last_seen_at,
        conv.c.id,
        conv.c.status,
    )
    return (
        select(*columns)
        .select_from(ident)
        .join(cust, cust.c.id == ident.c.customer_id)
        .outerjoin(conv, conv.c.id == open_id)
        .where(
            ident.c.channel == bindparam("b_channel"),
            ident.c.external_id == bindparam("b_external_id"),
        )
    )


@cache
def stage_history() -> Select[Any]:
    """``(previous, current, at)`` of ``:b_customer_id``, oldest first."""
    h = table(t.StageHistory)
    return (
        select(h.c.previous, h.c.current, h.c.at)
        .where(h.c.customer_id == bindparam("b_customer_id"))
        .order_by(h.c.id)
    )


def _outbox_columns(m: Any) -> tuple[Any, ...]:
    return (
        m.c.id,
        m.c.conversation_id,
        m.c.customer_id,
        m.c.channel,
        m.c.recipient_id,
        m.c.text,
        m.c.buttons,
        m.c.answered_by,
        m.c.status,
        m.c.attempts,
        m.c.next_attempt_at,
        m.c.attachment,
    )


@cache
def replies_to() -> Select[Any]:
    """Outbound rows answering the inbound ``(:b_channel, :b_channel_message_id)``."""
    m = table(t.Message)
    inbound = m.alias("inbound")
    answered = select(inbound.c.id).where(
        inbound.c.channel == bindparam("b_channel"),
        inbound.c.channel_message_id == bindparam("b_channel_message_id"),
    )
    return select(*_outbox_columns(m)).where(m.c.in_reply_to.in_(answered)).order_by(m.c.id)


@cache
def outbox_by_ids() -> Select[Any]:
    """Outbound rows whose id is in ``:b_ids``, in id order."""
    m = table(t.Message)
    return (
        select(*_outbox_columns(m))
        .where(m.c.id.in_(bindparam("b_ids", expanding=True)))
        .order_by(m.c.id)
    )


@cache
def pending(by_recipient: bool) -> Select[Any]:
    """Pending rows, oldest first, at most ``:b_limit`` (of one recipient if asked)."""
    m = table(t.Message)
    stmt = select(*_outbox_columns(m)).where(m.c.status == "pending")
    if by_recipient:
        stmt = stmt.where(
            m.c.channel == bindparam("b_channel"), m.c.recipient_id == bindparam("b_recipient")
        )
    return stmt.order_by(m.c.id).limit(bindparam("b_limit"))


@cache
def pending_of_recipient() -> Update:
    """UPDATE the pending rows to ``(:b_channel, :b_recipient)``; SET from the parameters."""
    m = table(t.Message)
    return (
        update(m)
        .where(
            m.c.channel == bindparam("b_channel"),
            m.c.recipient_id == bindparam("b_recipient"),
            m.c.status == "pending",
        )
        .execution_options(**NO_OUTCOME)
    )


@cache
def claim() -> Update:
    """Lease the pending, due row ``:b_id`` until ``:next_attempt_at``; count the attempt."""
    m = table(t.Message)
    return (
        update(m)
        .where(
            m.c.id == bindparam("b_id"),
            m.c.status == "pending",
            m.c.next_attempt_at <= bindparam("b_now"),
        )
        .values(attempts=m.c.attempts + 1)
    )


@cache
def link_ref(dialect: str) -> Insert:
    """INSERT a customer reference, or point an existing one at this customer."""
    r = table(t.CustomerRef)
    insert_: Any = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert_ is None:
        raise NotImplementedError(f"customer references on {dialect} are not supported")
    stmt = insert_(r)
    moved = {name: stmt.excluded[name] for name in ("customer_id", "channel", "external_id")}
    upsert: Insert = stmt.on_conflict_do_update(index_elements=[r.c.ref], set_=moved)
    return upsert.execution_options(**NO_OUTCOME)


@cache
def follow_up_once(dialect: str) -> Insert:
    """INSERT a follow-up unless the customer already has one with the same key."""
    f = table(t.FollowUp)
    keys = [f.c.customer_id, f.c.key]
    stmt: Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(f).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite.insert(f).on_conflict_do_nothing(index_elements=keys)
    else:
        raise NotImplementedError(f"follow-ups on {dialect} are not supported")
    return stmt.execution_options(**NO_OUTCOME)


@cache
def reached_stage(dialect: str) -> Insert:
    """INSERT when a customer first reached a stage; if they had before, keep that time and
    take the evidence of this change."""
    c = table(t.CustomerStage)
    keys = [c.c.customer_id, c.c.stage]
    insert_: Any = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert_ is None:
        raise NotImplementedError(f"stage tracking on {dialect} is not supported")
    stmt = insert_(c)
    latest = {"evidence": stmt.excluded.evidence}
    upsert: Insert = stmt.on_conflict_do_update(index_elements=keys, set_=latest)
    return upsert.execution_options(**NO_OUTCOME)


@cache
def cancel_follow_ups(of_kind: bool) -> Update:
    """UPDATE ``:b_customer_id``'s pending follow-ups (of ``:b_kind`` if asked)."""
    f = table(t.FollowUp)
    stmt = update(f).where(f.c.customer_id == bindparam("b_customer_id"), f.c.status == "pending")
    stmt = stmt.execution_options(**NO_OUTCOME)
    return stmt.where(f.c.kind == bindparam("b_kind")) if of_kind else stmt
