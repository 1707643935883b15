"""Plain data the domain core takes and returns.

Inputs: ``CustomerState`` (what we know of a customer), an ``nlu.types.Interpretation`` and
``now``. Output: a ``Decision`` made of replies, an optional ``StageChanged`` fact and
commands for the shell to carry out (``ScheduleFollowUp``, ``CancelFollowUp``, ``HandOff``,
``SetOptOut``, and the survey commands of ``journeys.reviews``). Commands are imperative,
facts past tense.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ANSWERED_BY_BOT = "bot"
ANSWERED_BY_AGENT = "agent"
ANSWERED_BY_SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Button:
    """A quick reply: ``payload`` is sent back as if typed (e.g. ``/ask_price``); a payload
    that is an ``http(s)://`` address makes a link button instead (back to the cart)."""

    title: str
    payload: str

    @property
    def is_link(self) -> bool:
        """True when pressing it opens ``payload`` as a web page."""
        return self.payload.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a comparison: a label, one cell per product, and whether they differ."""

    label: str
    cells: tuple[str, ...]
    differs: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A comparison as data, for channels that draw real tables (the web widget)."""

    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``columns`` and ``rows`` of ``label``, ``cells``, ``differs``."""
        return {
            "columns": list(self.columns),
            "rows": [
                {"label": r.label, "cells": list(r.cells), "differs": r.differs} for r in self.rows
            ],
        }


@dataclass(frozen=True, slots=True)
class Card:
    """A product as a card: name, price as the customer reads it, stock level, a line of
    description (the reason it was picked) and its page."""

    name: str
    price: str
    stock: str
    """``in``, ``low`` or ``out``."""
    description: str = ""
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the fields."""
        return {
            "name": self.name,
            "price": self.price,
            "stock": self.stock,
            "description": self.description or None,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the customer. ``template`` names the reply template it came from.

    Lines between two ``FENCE`` lines (as in Markdown) are preformatted: channels show them
    in a monospace font, with their spacing kept (see ``preformatted``). ``table`` is the
    same comparison as data, and ``cards`` the products the text lists, for channels that
    can draw them.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    template: str = ""
    table: Table | None = None
    cards: tuple[Card, ...] = ()
    ask: str | None = None
    """``csat``: the reply asks for a 1–5 score (the widget draws stars for its buttons)."""

    def attachment(self) -> dict[str, Any] | None:
        """``table``, ``cards`` and ``ask`` as one JSON-ready mapping (None without any)."""
        found: dict[str, Any] = {}
        if self.table is not None:
            found["table"] = self.table.to_dict()
        if self.cards:
            found["cards"] = [card.to_dict() for card in self.cards]
        if self.ask is not None:
            found["ask"] = self.ask
        return found or None


FENCE = "```"


def preformatted(text: str) -> str:
    """``text`` as a preformatted block of a reply (a table whose columns must line up)."""
    return f"{FENCE}\n{text}\n{FENCE}"


@dataclass(frozen=True, slots=True)
class StageEntry:
    """One step of a customer's stage history."""

    stage: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Survey:
    """The customer's latest satisfaction (CSAT) question and what became of it.

    ``link`` is the tracked review link (``/r/<token>``) an invitation would carry.
    """

    id: int
    trigger: str
    asked_at: datetime
    link: str
    product_id: str | None = None
    score: int | None = None
    answered_at: datetime | None = None
    commented: bool = False
    invited: bool = False


@dataclass(frozen=True, slots=True)
class CustomerState:
    """Everything the core needs to know about a customer to decide.

    ``stage`` is None for a customer never seen before. ``purchased`` is True once any
    purchase signal (an order, a purchase intent confirmed by an event) was recorded:
    *confirmed* evidence. ``purchase_stated`` is True while the customer's own words say
    they bought ("where is my parcel?"): *stated* evidence; ``stage_before_purchase`` is
    where they were before saying so, where taking it back returns them.
    ``consecutive_fallbacks`` counts the messages in a row the NLU did not understand.
    """

    customer_id: str
    stage: str | None = None
    history: tuple[StageEntry, ...] = ()
    language: str | None = None
    purchased: bool = False
    purchase_stated: bool = False
    stage_before_purchase: str | None = None
    opted_out: bool = False
    last_seen_at: datetime | None = None
    last_products: tuple[str, ...] = ()
    selected_product: str | None = None
    """The product named or picked alone last, which "is it in stock?" is about."""
    last_faq_entry: str | None = None
    """The FAQ entry answered last, whose topic "and to Switzerland?" goes on about."""
    consecutive_fallbacks: int = 0
    survey: Survey | None = None
    """The latest CSAT question asked, if any (see ``journeys.reviews``)."""


# --- facts (past tense) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageChanged:
    """The customer moved from one stage to another (``previous`` None for a new customer),
    or the evidence their stage rests on changed (``previous == current``). ``evidence`` is
    ``confirmed``, ``stated`` or None (a stage that needs no purchase)."""

    previous: str | None
    current: str
    at: datetime
    reason: str
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class PurchaseStated:
    """The customer said they bought (``stated`` True, from stage ``before``) or took it
    back (``stated`` False)."""

    stated: bool
    before: str | None = None


# --- commands (imperative) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleFollowUp:
    """Queue a follow-up of ``kind`` at ``due_at``; ``key`` makes it idempotent per customer."""

    kind: str
    due_at: datetime
    key: str
    template: str = ""
    subject: str | None = None
    """The cart or order it is about."""


@dataclass(frozen=True, slots=True)
class CancelFollowUp:
    """Cancel the customer's pending follow-ups of ``kind`` (every kind when None)."""

    kind: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class HandOff:
    """Route the conversation to a person."""

    reason: str


@dataclass(frozen=True, slots=True)
class BackToBot:
    """The customer no longer wants a person: the bot answers again."""

    reason: str


@dataclass(frozen=True, slots=True)
class SetOptOut:
    """Record the customer's consent choice for proactive messages."""

    opted_out: bool


@dataclass(frozen=True, slots=True)
class OpenSurvey:
    """Record that a CSAT question was asked (``trigger``: ``praise``, or the follow-up kind),
    about ``subject`` (an order, a conversation) and, when known, one product."""

    trigger: str
    subject: str | None = None
    product_id: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreSurvey:
    """Record the answer to a CSAT question and the review-invitation decision taken on it.

    ``review_url`` is where the survey's link leads when ``invited``; ``reason`` says why
    the policy invited or not (kept for audit).
    """

    survey_id: int
    score: int
    policy: str
    invited: bool
    reason: str
    review_url: str | None = None
    comment: str | None = None
    link_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommentSurvey:
    """Store a free-text comment given after a score (a pain point when the score was low)."""

    survey_id: int
    text: str


@dataclass(frozen=True, slots=True)
class ReviewReported:
    """The customer left a review (``source``: ``event`` from the shop, or ``customer`` in chat)."""

    source: str


Command = (
    ScheduleFollowUp
    | CancelFollowUp
    | HandOff
    | BackToBot
    | SetOptOut
    | OpenSurvey
    | ScoreSurvey
    | CommentSurvey
    | ReviewReported
)


@dataclass(frozen=True, slots=True)
class LogAs:
    """How the touchpoint of an inbound message is logged when not as a plain message: its
    ``kind`` (``csat_answered``), ``intent`` and extra entities as (name, value) pairs."""

    kind: str
    intent: str
    entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Resolved:
    """A message the NLU was unsure of (or read otherwise) that the bot still answered:
    the ``intent`` it answered and ``how`` (``context``: a reference to the products in
    focus; ``product``: a product it names; ``faq``: an FAQ entry it matches)."""

    intent: str
    how: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What the core decided for one inbound message.

    ``products`` are the catalogue ids the answer used (empty: keep the previous context);
    ``context_products`` are the ids later messages may refer back to ("the other one",
    "the second one"), most recently focused first: store them as the customer's
    ``last_products`` (empty: store ``products``). ``faq_entry`` is the id of the FAQ
    entry the answer came from. ``consecutive_fallbacks`` is the customer's new fallback
    streak to store. ``purchase_stated`` records the customer saying they bought or taking
    it back; ``resolved`` says which intent the answer served when it was not the NLU's.
    """

    replies: tuple[Reply, ...]
    language: str
    stage_changed: StageChanged | None = None
    commands: tuple[Command, ...] = ()
    answered_by: str = ANSWERED_BY_BOT
    products: tuple[str, ...] = field(default=())
    consecutive_fallbacks: int = 0
    faq_entry: str | None = None
    context_products: tuple[str, ...] = ()
    log_as: LogAs | None = None
    purchase_stated: PurchaseStated | None = None
    resolved: Resolved | None = None

    @property
    def next_last_products(self) -> tuple[str, ...]:
        """What to store as the customer's ``last_products`` (empty: keep the stored ones)."""
        return self.context_products or self.products

    def next_selected(self, before: str | None) -> str | None:
        """The customer's selected product after this answer: the one product it was about,
        none after an answer about several, ``before`` after one about none."""
        if not self.products:
            return before
        return self.products[0] if len(self.products) == 1 else None

    def next_faq_entry(self, before: str | None) -> str | None:
        """The customer's last FAQ entry after this answer: this answer's, none after an
        answer about products, else ``before``."""
        if self.faq_entry is not None:
            return self.faq_entry
        return None if self.products else before
