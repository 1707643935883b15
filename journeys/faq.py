"""The shop's frequently asked questions, validated from an already-parsed ``faq.yml``, and
retrieval over them.

Each entry has an id, question variants per language, an answer per language and an
optional category; ``intents`` says which intents are answered from which category
(``ask_shipping: shipping``). ``Faq.search`` scores every entry by the TF-IDF cosine of the
message with its closest variant in the customer's language (English variants stand in for
a language an entry lacks), plus ``CATEGORY_BONUS`` when the entry is in the category of
the message's intent. Under ``min_score`` nothing is returned: the caller then says it is
not sure rather than answer another question.

An answer may state a shop fact through its placeholder (``{return_days}``, see
``journeys.facts``), filled in when the file loads; a literal brace is written twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeys.checks import Checker
from journeys.errors import FaqError
from journeys.facts import ShopFacts
from journeys.retrieval import TfIdfIndex
from journeys.text import Words

FALLBACK_LANGUAGE = "en"
CATEGORY_BONUS = 0.15
DEFAULT_MIN_SCORE = 0.4
"""The least score an entry needs to be given as the answer (0..1 plus the bonus)."""
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOP_KEYS = ("min_score", "intents", "follow_up_words", "entries")
_ENTRY_KEYS = ("id", "category", "questions", "answer")


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question with its phrasings and answer per language."""

    id: str
    questions: tuple[tuple[str, tuple[str, ...]], ...]
    answers: tuple[tuple[str, str], ...]
    category: str | None = None

    def answer(self, language: str) -> str:
        """The answer in ``language``, else in English."""
        table = dict(self.answers)
        return table.get(language) or table[FALLBACK_LANGUAGE]

    def variants(self, language: str) -> tuple[str, ...]:
        """The phrasings in ``language``, else the English ones."""
        table = dict(self.questions)
        return table.get(language) or table.get(FALLBACK_LANGUAGE, ())


@dataclass(frozen=True, slots=True)
class FaqMatch:
    """The best entry for a message and how sure the retrieval is (0..1 + bonus)."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True)
class _LanguageIndex:
    index: TfIdfIndex
    owners: tuple[int, ...]
    """Text number → entry number."""


@dataclass(frozen=True, slots=True)
class Faq:
    """Every FAQ entry of a shop. Build it with ``from_mapping`` (or ``empty``)."""

    entries: tuple[FaqEntry, ...] = ()
    intents: Mapping[str, str] = field(default_factory=dict)
    min_score: float = DEFAULT_MIN_SCORE
    follow_up_words: Words = field(default_factory=Words)
    """How a message that goes on about the last topic starts ("and for students?")."""
    _indexes: dict[str, _LanguageIndex] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        languages = {lang for e in self.entries for lang, _ in e.questions}
        for language in languages | {FALLBACK_LANGUAGE}:
            self._indexes[language] = _index(self.entries, language)

    @classmethod
    def from_mapping(
        cls, data: Any, source: str = "faq.yml", facts: ShopFacts | None = None
    ) -> Faq:
        """Validate an already-parsed FAQ; raise FaqError when it is wrong.

        Fact placeholders in the answers are filled from ``facts`` (None: no facts file)."""
        check = Checker(FaqError, source)
        facts = ShopFacts() if facts is None else facts
        top = check.check_mapping(data, "(top level)")
        check.check_keys(top, _TOP_KEYS, "")
        entries: list[FaqEntry] = []
        for i, item in enumerate(check.check_list(top.get("entries"), "entries")):
            entry = _read_entry(check, item, f"entries[{i}]", facts)
            if any(e.id == entry.id for e in entries):
                check.fail(f"entries[{i}].id", entry.id, "entry id used twice")
            entries.append(entry)
        intents = _read_intents(check, top.get("intents"))
        min_score = top.get("min_score", DEFAULT_MIN_SCORE)
        if isinstance(min_score, bool) or not isinstance(min_score, int | float):
            check.fail("min_score", min_score, "expected a number between 0 and 1")
        if not 0 < min_score <= 1:
            check.fail("min_score", min_score, "expected a number between 0 and 1")
        follow = Words.from_texts(check.check_words(top.get("follow_up_words"), "follow_up_words"))
        return cls(tuple(entries), intents, float(min_score), follow)

    @property
    def categories(self) -> frozenset[str]:
        """The categories entries and intents use."""
        named = {e.category for e in self.entries if e.category is not None}
        return frozenset(named | set(self.intents.values()))

    def follows_up(self, text_words: tuple[str, ...], language: str) -> bool:
        """True when the message starts like a follow-up on the last topic ("¿y a Suiza?")."""
        return self.follow_up_words.position(text_words, language) == 0

    def category_for(self, intent: str) -> str | None:
        """The category an intent is answered from (None: not an FAQ intent)."""
        return self.intents.get(intent)

    def intent_for(self, category: str | None) -> str | None:
        """The first intent answered from ``category`` (None: no intent is)."""
        return next((i for i, c in self.intents.items() if c == category), None)

    def get(self, entry_id: str) -> FaqEntry | None:
        """The entry with this id."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def search(self, text: str, language: str, category: str | None = None) -> FaqMatch | None:
        """The entry that best answers ``text``, if it scores at least ``min_score``."""
        best = self.best(text, language, category)
        return best if best is not None and best.score >= self.min_score else None

    def best(self, text: str, language: str, category: str | None = None) -> FaqMatch | None:
        """The best-scoring entry whatever its score (None when nothing is shared)."""
        found = self._indexes.get(language) or self._indexes.get(FALLBACK_LANGUAGE)
        if found is None:
            return None
        by_entry: dict[int, float] = {}
        for number, score in found.index.scores(text).items():
            owner = found.owners[number]
            by_entry[owner] = max(by_entry.get(owner, 0.0), score)
        if not by_entry:
            return None
        scored = [
            (s + (CATEGORY_BONUS if self.entries[i].category == category else 0.0), -i)
            for i, s in by_entry.items()
        ]
        score, negative = max(scored)
        return FaqMatch(entry=self.entries[-negative], score=round(score, 4))


def _index(entries: tuple[FaqEntry, ...], language: str) -> _LanguageIndex:
    texts: list[str] = []
    owners: list[int] = []
    for number, entry in enumerate(entries):
        for variant in entry.variants(language):
            texts.append(variant)
            owners.append(number)
    return _LanguageIndex(TfIdfIndex.build(texts), tuple(owners))


def _read_entry(check: Checker, item: Any, key: str, facts: ShopFacts) -> FaqEntry:
    raw = check.check_mapping(item, key)
    entry_id = check.check_text(raw.get("id"), f"{key}.id")
    if not _ID.match(entry_id):
        check.fail(f"{key}.id", entry_id, "expected lower-case letters, digits, - and _")
    key = f"entries.{entry_id}"
    check.check_keys(raw, _ENTRY_KEYS, f"{key}.")
    category = raw.get("category")
    answers = check.check_localized(raw.get("answer"), f"{key}.answer")
    return FaqEntry(
        id=entry_id,
        questions=_read_questions(check, raw.get("questions"), f"{key}.questions"),
        answers=tuple(
            (lang, facts.fill(text, lang, check, f"{key}.answer.{lang}", final=True))
            for lang, text in answers.items()
        ),
        category=None if category is None else check.check_name(category, f"{key}.category"),
    )


def _read_questions(
    check: Checker, value: Any, key: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    questions: list[tuple[str, tuple[str, ...]]] = []
    for lang, items in check.check_mapping(value, key).items():
        check.check_language(lang, f"{key}.{lang}")
        variants = check.check_list(items, f"{key}.{lang}")
        if not variants:
            check.fail(f"{key}.{lang}", items, "at least one question is required")
        texts = tuple(check.check_text(v, f"{key}.{lang}[{i}]") for i, v in enumerate(variants))
        questions.append((lang, texts))
    if FALLBACK_LANGUAGE not in dict(questions):
        check.fail(key, value, "English ('en') questions are required")
    return tuple(questions)


def _read_intents(check: Checker, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    return {
        check.check_name(intent, f"intents.{intent}"): check.check_name(
            category, f"intents.{intent}"
        )
        for intent, category in check.check_mapping(value, "intents").items()
    }
