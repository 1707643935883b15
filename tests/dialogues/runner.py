"""Multi-turn dialogue scenarios, loaded from YAML and played through the real service.

A scenario file (``tests/dialogues/<language>.yml``)::

    language: en
    conversations:
      - name: parcel-question-opens-retention   # unique in the file
        turns:
          - say: "hey, did my laptop ship yet?"
            stage: retention        # the customer's stage after the turn
            evidence: stated        # none | stated | confirmed
            must: ["tracking"]      # in the answer (case-insensitive)
            must_not: []            # not in the answer (case-insensitive)
            about: [xps-13]         # optional: the only products the answer may name or price
            intent: order_status    # optional: the intent the turn is logged as
          - event: order_placed     # a signed commerce event from the shop instead
            product: xps-13         # optional: the item of the cart or order (default xps-13)
            stage: retention
            evidence: confirmed

``load_suite`` validates a file and refuses a bad one with a ``ScenarioError`` that names
the file, the conversation and the turn. ``DialogueRunner`` builds the service as the
end-to-end tests do (``build_services`` + ``build_web_app`` on an aiohttp test server, a
``FakeClock`` moved on a minute before each turn), posts each message to the REST channel as
one sender per conversation and each event, signed, to ``/api/events``, then reads the
turn's own touchpoint: ``stage_after``, ``stage_evidence`` (read with ``getattr``: "none"
while the store does not record it) and ``intent``.

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
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
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
from journeys.text import fold
from nlu.embedded import EmbeddedBackend
from storage.records import TouchpointRow
from tests.fakes import FakeClock

FOLDER = Path(__file__).resolve().parent
TRAINING_DATA = FOLDER.parents[1] / "nlu" / "data"
LANGUAGES = ("en", "es", "it")
STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
EVIDENCE = ("none", "stated", "confirmed")
EVENTS = ("order_placed", "order_delivered", "order_cancelled", "cart_updated", "checkout_started")
DEFAULT_PRODUCT = "xps-13"
EVENTS_SECRET = "dialogue-scenarios-events-secret"
REST_PATH = "/webhooks/rest/webhook"
Client = TestClient[web.Request, web.Application]

_TURN_KEYS = ("say", "event", "product", "stage", "evidence", "must", "must_not", "about", "intent")
_MESSAGE_KEYS = ("must", "must_not", "about", "intent")
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message says where and what is wrong."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One message (``say``) or commerce event (``event``) and what must follow it."""

    stage: str
    evidence: str
    say: str | None = None
    event: str | None = None
    product: str | None = None
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    about: tuple[str, ...] | None = None
    intent: str | None = None

    @property
    def label(self) -> str:
        return self.say if self.say is not None else f"<event {self.event}>"


@dataclass(frozen=True, slots=True)
class Conversation:
    name: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class Suite:
    """The conversations of one scenario file."""

    language: str
    path: Path
    conversations: tuple[Conversation, ...]


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    """A product as the catalogue file lists it: what an answer may name or price."""

    id: str
    name: str
    price: Decimal
    currency: str


@cache
def demo_products() -> tuple[Listed, ...]:
    """The demo shop's products, read from its catalogue file (the service's own)."""
    data = yaml.safe_load((DEMO_SHOP / "catalogue.yml").read_text(encoding="utf-8"))
    currency = str(data.get("currency", "EUR"))
    return tuple(
        Listed(str(p["id"]), str(p["name"]), Decimal(str(p["price"])), currency)
        for p in data["products"]
    )


def load_suites(languages: Iterable[str] = LANGUAGES, folder: Path = FOLDER) -> list[Suite]:
    """The scenario files of ``languages`` in ``folder``."""
    return [load_suite(folder / f"{language}.yml") for language in languages]


def load_suite(path: Path, products: Iterable[Listed] | None = None) -> Suite:
    """Read and validate one scenario file (ScenarioError when it is wrong); ``products``
    (default: the demo shop's) are the ids ``about`` and ``product`` may name."""
    known = frozenset(p.id for p in (products or demo_products()))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict) or sorted(data) != ["conversations", "language"]:
        raise ScenarioError(f'{path}: expected a mapping with "language" and "conversations"')
    language, raw_conversations = data["language"], data["conversations"]
    if not isinstance(language, str) or not language:
        raise ScenarioError(f'{path}: "language" must be a language code such as "en"')
    if not isinstance(raw_conversations, list) or not raw_conversations:
        raise ScenarioError(f'{path}: "conversations" must be a non-empty list')
    conversations: list[Conversation] = []
    for number, raw in enumerate(raw_conversations, 1):
        conversation = _conversation(raw, path, number, known)
        if any(c.name == conversation.name for c in conversations):
            raise ScenarioError(f"{path}: conversation {conversation.name!r} appears twice")
        conversations.append(conversation)
    return Suite(language, path, tuple(conversations))


def _conversation(raw: Any, path: Path, number: int, known: frozenset[str]) -> Conversation:
    where = f"{path}: conversation #{number}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: expected a mapping with name and turns, got {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f'{where}: "name" must be a non-empty string')
    where = f"{path}: conversation {name!r}"
    if extra := sorted(set(raw) - {"name", "turns"}):
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(extra)}; known: name, turns")
    raw_turns = raw.get("turns")
    if not isinstance(raw_turns, list) or not raw_turns:
        raise ScenarioError(f'{where}: "turns" must be a non-empty list')
    turns = tuple(_turn(t, f"{where}, turn {i}", known) for i, t in enumerate(raw_turns, 1))
    if turns[0].event is not None:
        raise ScenarioError(
            f"{where}, turn 1: the first turn must be a message (an event needs a customer "
            "who has written to the bot)"
        )
    return Conversation(name, turns)


def _turn(raw: Any, where: str, known: frozenset[str]) -> Turn:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: expected a mapping, got {raw!r}")
    if extra := sorted(set(raw) - set(_TURN_KEYS)):
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(extra)}; known: {', '.join(_TURN_KEYS)}"
        )
    say, event = raw.get("say"), raw.get("event")
    if (say is None) == (event is None):
        raise ScenarioError(f'{where}: give exactly one of "say" (a message) and "event"')
    if say is not None and (not isinstance(say, str) or not say.strip()):
        raise ScenarioError(f'{where}: "say" must be a non-empty string, got {say!r}')
    if event is not None:
        _one_of(raw, "event", EVENTS, where)
        if wrong := [k for k in _MESSAGE_KEYS if k in raw]:
            raise ScenarioError(f"{where}: an event gets no answer, so no {', '.join(wrong)}")
    elif "product" in raw:
        raise ScenarioError(f'{where}: "product" is for event turns; messages name products')
    product = raw.get("product")
    if product is not None and product not in known:
        raise ScenarioError(f"{where}: product {product!r} is not in the catalogue")
    about = raw.get("about")
    if about is not None:
        about = _texts(raw, "about", where)
        if unknown := [p for p in about if p not in known]:
            raise ScenarioError(
                f'{where}: "about" has ids not in the catalogue: {", ".join(unknown)}'
            )
    intent = raw.get("intent")
    if intent is not None and (not isinstance(intent, str) or not intent):
        raise ScenarioError(f'{where}: "intent" must be an intent name, got {intent!r}')
    return Turn(
        stage=_one_of(raw, "stage", STAGES, where),
        evidence=_one_of(raw, "evidence", EVIDENCE, where),
        say=say,
        event=event,
        product=product,
        must=_texts(raw, "must", where),
        must_not=_texts(raw, "must_not", where),
        about=about,
        intent=intent,
    )


def _one_of(raw: dict[str, Any], key: str, allowed: Sequence[str], where: str) -> str:
    value = raw.get(key)
    if value not in allowed:
        raise ScenarioError(f'{where}: "{key}" must be one of {", ".join(allowed)}, got {value!r}')
    return str(value)


def _texts(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ScenarioError(f'{where}: "{key}" must be a list of non-empty strings, got {value!r}')
    return tuple(value)


# --- training examples ----------------------------------------------------------------------


def training_examples(folder: Path = TRAINING_DATA) -> frozenset[str]:
    """Every NLU training example of ``folder``, entity annotations removed, folded."""
    examples: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.add(fold(_ANNOTATION.sub(r"\1", line[2:])))
    return frozenset(examples)


def training_copies(suite: Suite, examples: frozenset[str]) -> list[str]:
    """The messages of ``suite`` that equal a training example (case and punctuation aside)."""
    return [
        f"{suite.path.name}: {c.name}, turn {i}: {t.say!r}"
        for c in suite.conversations
        for i, t in enumerate(c.turns, 1)
        if t.say is not None and fold(t.say) in examples
    ]


# --- judging --------------------------------------------------------------------------------


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
    evidence = getattr(row, "stage_evidence", None) if row else None
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
