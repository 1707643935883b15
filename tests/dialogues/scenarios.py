"""Multi-turn dialogue scenarios: the YAML files of ``tests/dialogues`` and their checks.

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
the file, the conversation and the turn. ``training_copies`` lists the messages that copy an
NLU training example (the suite must be written fresh). ``tests.dialogues.runner`` plays them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import DEMO_SHOP
from journeys.text import fold

FOLDER = Path(__file__).resolve().parent
TRAINING_DATA = FOLDER.parents[1] / "nlu" / "data"
LANGUAGES = ("en", "es", "it")
STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
EVIDENCE = ("none", "stated", "confirmed")
EVENTS = ("order_placed", "order_delivered", "order_cancelled", "cart_updated", "checkout_started")
DEFAULT_PRODUCT = "xps-13"

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
