"""Dialogue scenarios (``tests.dialogues.scenarios``) played through the real service.

``DialogueRunner`` builds the service as the end-to-end tests do (``build_services`` +
``build_web_app`` on an aiohttp test server, a ``FakeClock`` moved on a minute before each
turn), posts each message to the REST channel as one sender per conversation and each
event, signed, to ``/api/events``, then reads the
turn's own touchpoint: ``stage_after``, ``stage_evidence`` and ``intent``.

A message turn is *answered right* when the joined reply texts hold every ``must``, none of
``must_not``, when ``about`` is given (even empty) no other catalogue product's name or
price (formatted for the language), and, when ``intent`` is given, the touchpoint's intent
is that one. A turn's *stage is right* when its stage and evidence both are as expected;
event turns count for the stage only.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import Services, build_services, product_lookup
from bot.commerce.signature import HEADER, sign
from bot.settings import (
    DEMO_SHOP,
    DatabaseSettings,
    NluSettings,
    Settings,
    TelegramSettings,
    WebSettings,
)
from bot.shop_files import load_shop
from bot.web.app import build_web_app
from journeys.formatting import format_price
from nlu.embedded import EmbeddedBackend
from storage.records import TouchpointRow
from tests.dialogues.scenarios import (
    DEFAULT_PRODUCT,
    Conversation,
    Listed,
    Suite,
    Turn,
    demo_products,
)
from tests.fakes import FakeClock

EVENTS_SECRET = "dialogue-scenarios-events-secret"
REST_PATH = "/webhooks/rest/webhook"
Client = TestClient[web.Request, web.Application]


def falsehoods(
    text: str, language: str, about: Iterable[str], catalogue: Iterable[Listed] | None = None
) -> list[str]:
    """Names and prices (formatted for ``language``) of products other than ``about``."""
    products = tuple(catalogue or demo_products())
    allowed = frozenset(about)
    allowed_prices = {
        format_price(p.price, p.currency, language) for p in products if p.id in allowed
    }
    wrong: list[str] = []
    for product in products:
        if product.id in allowed:
            continue
        if product.name in text:
            wrong.append(product.name)
        price = format_price(product.price, product.currency, language)
        if written(price, text) and price not in allowed_prices:
            wrong.append(price)
    return wrong


def written(price: str, text: str) -> bool:
    """True when ``price`` is in ``text`` as a whole (``349,00 €`` is not in ``1.349,00 €``)."""
    return re.search(rf"(?<![\d.,]){re.escape(price)}", text) is not None


def answer_problems(turn: Turn, text: str, intent: str | None, language: str) -> list[str]:
    """Why ``text`` (logged as ``intent``) is not the right answer to a message turn."""
    folded = text.casefold()
    problems = [f"missing {m!r}" for m in turn.must if m.casefold() not in folded]
    problems += [f"says {m!r}" for m in turn.must_not if m.casefold() in folded]
    if turn.about is not None and (wrong := falsehoods(text, language, turn.about)):
        problems.append("names or prices products it is not about: " + ", ".join(wrong))
    if turn.intent is not None and intent != turn.intent:
        problems.append(f"logged as intent {intent!r}, expected {turn.intent!r}")
    return problems


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened on one turn."""

    conversation: str
    number: int
    turn: Turn
    answer: str
    stage: str | None
    evidence: str
    intent: str | None
    latency_ms: float | None
    problems: tuple[str, ...]
    """Why the answer is wrong (message turns) or why the shop refused the event."""

    @property
    def answered_right(self) -> bool | None:
        """None for an event turn (it gets no answer)."""
        return None if self.turn.say is None else not self.problems

    @property
    def stage_right(self) -> bool:
        expected = (self.turn.stage, self.turn.evidence)
        return (self.stage, self.evidence) == expected and not (self.turn.event and self.problems)

    @property
    def failed(self) -> bool:
        return self.answered_right is False or not self.stage_right

    def describe(self) -> str:
        """The failing turn: conversation, message, expected, got, answer text."""
        t = self.turn
        lines = [f"- {self.conversation}, turn {self.number}: {t.label!r}"]
        if not self.stage_right:
            lines.append(
                f"    stage: expected {t.stage}/{t.evidence}, got {self.stage}/{self.evidence}"
                f" (intent {self.intent})"
            )
        lines += [f"    {problem}" for problem in self.problems]
        if t.say is not None:
            lines.append("    answer: " + (self.answer or "(none)").replace("\n", "\n      "))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class SuiteResult:
    language: str
    conversations: int
    outcomes: tuple[Outcome, ...]

    @property
    def messages(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.turn.say is not None]

    @property
    def answered_share(self) -> float:
        return sum(bool(o.answered_right) for o in self.messages) / max(1, len(self.messages))

    @property
    def stage_accuracy(self) -> float:
        return sum(o.stage_right for o in self.outcomes) / max(1, len(self.outcomes))

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def report(self) -> str:
        """A summary line, then every failing turn."""
        head = (
            f"{self.language}: {self.conversations} conversations, {len(self.outcomes)} turns, "
            f"answered right {self.answered_share:.1%}, stage accuracy {self.stage_accuracy:.1%}"
        )
        return "\n".join([head, *(o.describe() for o in self.failures)])


# --- running --------------------------------------------------------------------------------


def train_nlu(cache_dir: Path) -> EmbeddedBackend:
    """The embedded classifier trained on nlu/data with the demo catalogue's products."""
    settings = NluSettings(_env_file=None)
    return EmbeddedBackend.train_or_load(
        [settings.data],
        cache_dir,
        lookups=(product_lookup(load_shop(DEMO_SHOP)),),
        threshold=settings.threshold,
    )


def service_settings(database_url: str, workdir: Path) -> Settings:
    """tests.conftest's ``make_settings`` with the events API on (no .env, NLU cache under
    ``workdir``); built here so that benchmarks need no pytest fixtures module."""
    return Settings(
        _env_file=None,
        database=DatabaseSettings(_env_file=None, url=database_url, migrate_on_start=False),
        nlu=NluSettings(_env_file=None, cache_dir=workdir / "nlu-cache"),
        telegram=TelegramSettings(_env_file=None),
        web=WebSettings(_env_file=None, events_secret=SecretStr(EVENTS_SECRET)),
    )


class DialogueRunner:
    """Plays conversations through a running service; one sender per conversation."""

    def __init__(self, services: Services, client: Client, clock: FakeClock) -> None:
        self.services = services
        self.client = client
        self.clock = clock
        self._senders = 0

    @classmethod
    @asynccontextmanager
    async def started(
        cls, nlu: EmbeddedBackend, database_url: str, workdir: Path, *, migrate: bool = False
    ) -> AsyncIterator[DialogueRunner]:
        """The service on ``database_url`` (migrated first if asked) behind a test server."""
        clock = FakeClock()
        settings = service_settings(database_url, workdir)
        services = await build_services(settings, nlu=nlu, clock=clock, migrate=migrate)
        try:
            async with TestClient(TestServer(build_web_app(services))) as client:
                yield cls(services, client, clock)
        finally:
            await services.aclose()

    def new_sender(self, name: str) -> str:
        """A sender id no earlier conversation of this runner used."""
        self._senders += 1
        return f"dialogue-{self._senders}-{name}"

    async def run(self, suite: Suite) -> SuiteResult:
        outcomes: list[Outcome] = []
        for conversation in suite.conversations:
            outcomes += await self.converse(suite.language, conversation)
        return SuiteResult(suite.language, len(suite.conversations), tuple(outcomes))

    async def converse(self, language: str, conversation: Conversation) -> list[Outcome]:
        sender = self.new_sender(conversation.name)
        outcomes: list[Outcome] = []
        seen = 0
        for number, turn in enumerate(conversation.turns, 1):
            self.clock.advance(minutes=1)
            latency: float | None = None
            if turn.say is not None:
                answer, latency = await self.say(sender, turn.say)
            else:
                answer = await self.send_event(sender, turn, f"{number}")
            rows = [r for r in await self._touchpoints(sender) if r.id > seen]
            seen = max([seen, *(r.id for r in rows)])
            kind = "message" if turn.say is not None else "event"
            row = next((r for r in reversed(rows) if r.kind == kind), None)
            outcomes.append(
                _outcome(conversation.name, number, turn, answer, row, latency, language)
            )
        return outcomes

    async def say(self, sender: str, text: str) -> tuple[str, float]:
        """The joined reply texts (or the HTTP error) and the round trip in milliseconds."""
        started = time.perf_counter()
        resp = await self.client.post(REST_PATH, json={"sender": sender, "message": text})
        body = await resp.text()
        latency = (time.perf_counter() - started) * 1000
        if resp.status != 200:
            return f"HTTP {resp.status}: {body}", latency
        return "\n".join(str(a.get("text", "")) for a in json.loads(body)), latency

    async def send_event(self, sender: str, turn: Turn, number: str) -> str:
        """Post the turn's event, signed; "" when accepted, else the HTTP error."""
        payload = event_payload(turn, sender, number, self.clock())
        body = json.dumps(payload).encode()
        headers = {HEADER: sign(EVENTS_SECRET, body), "Content-Type": "application/json"}
        resp = await self.client.post("/api/events", data=body, headers=headers)
        return "" if resp.status == 200 else f"HTTP {resp.status}: {await resp.text()}"

    async def _touchpoints(self, sender: str) -> list[TouchpointRow]:
        async with self.services.uow() as uow:
            return await uow.queries.touchpoints(sender=sender)


def event_payload(turn: Turn, sender: str, number: str, now: datetime) -> dict[str, Any]:
    """A minimal valid commerce event of the turn's type, for one item of the catalogue.

    Each conversation has one cart and one order, so a delivery or cancellation is of the
    order placed before it."""
    wanted = turn.product or DEFAULT_PRODUCT
    product = next(p for p in demo_products() if p.id == wanted)  # load_suite checked the id
    price = f"{product.price:.2f}"
    payload: dict[str, Any] = {
        "id": f"{sender}-event-{number}",
        "type": turn.event,
        "customer": {"channel": "rest", "id": sender},
        "cart_id": f"{sender}-cart",
        "items": [
            {"product_id": product.id, "name": product.name, "quantity": 1, "unit_price": price}
        ],
        "total": price,
        "currency": product.currency,
        "occurred_at": now.isoformat(),
    }
    if turn.event is not None and turn.event.startswith("order_"):
        payload["order_id"] = f"{sender}-order"
    return payload


def _outcome(
    conversation: str,
    number: int,
    turn: Turn,
    answer: str,
    row: TouchpointRow | None,
    latency: float | None,
    language: str,
) -> Outcome:
    intent = row.intent if row else None
    if turn.say is not None:
        problems = answer_problems(turn, answer, intent, language)
    else:
        problems = [answer] if answer else []
    if row is None:
        problems.append("no touchpoint was logged for this turn")
    evidence = row.stage_evidence if row else None
    return Outcome(
        conversation=conversation,
        number=number,
        turn=turn,
        answer=answer,
        stage=row.stage_after if row else None,
        evidence=evidence or "none",
        intent=intent,
        latency_ms=latency,
        problems=tuple(problems),
    )
