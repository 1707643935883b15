"""Words that pick one of the products being discussed by a spec.

"the cheaper one", "el más ligero", "quello con più batteria", "the one with more RAM":
after a comparison or a list of picks these choose a product; they are never an objection.
The words come from ``replies.yml`` (``spec_picks``), one entry per choice::

    cheapest: {spec: price, pick: lowest, en: [cheaper, cheapest], es: [mas barat*]}

``spec`` is a spec key of the catalogue (or ``price``); ``pick`` says whether the lowest or
the highest value is wanted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from journeys.checks import Checker
from journeys.specs import Quantity
from journeys.text import Words

_PICKS = ("lowest", "highest")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SpecPick:
    """One way of choosing: the spec, whether the highest value wins, and the words."""

    name: str
    spec: str
    highest: bool
    words: Words

    def choose(self, items: Sequence[T], value: Callable[[T, str], Quantity | None]) -> T | None:
        """The item with the lowest (highest) value of the spec; None when fewer than two
        items have a value, or when the best value is shared."""
        measured = [(q.value, item) for item in items if (q := value(item, self.spec)) is not None]
        if len(measured) < 2:
            return None
        ranked = sorted(measured, key=lambda pair: pair[0], reverse=self.highest)
        if ranked[0][0] == ranked[1][0]:
            return None
        return ranked[0][1]


@dataclass(frozen=True, slots=True)
class SpecPicks:
    """Every ``SpecPick`` of a shop."""

    picks: tuple[SpecPick, ...] = ()

    @classmethod
    def from_mapping(cls, check: Checker, value: Any) -> SpecPicks:
        """Read ``spec_picks`` (missing: none)."""
        picks = []
        for name, raw in check.check_mapping(value or {}, "spec_picks").items():
            key = f"spec_picks.{name}"
            entry = dict(check.check_mapping(raw, key))
            spec = check.check_name(entry.pop("spec", None), f"{key}.spec")
            pick = entry.pop("pick", None)
            if pick not in _PICKS:
                check.fail(f"{key}.pick", pick, "expected 'lowest' or 'highest'")
            words = Words.from_texts(check.check_words(entry, key))
            picks.append(SpecPick(check.check_name(name, key), spec, pick == "highest", words))
        return cls(tuple(picks))

    def asked(self, text_words: tuple[str, ...], language: str) -> SpecPick | None:
        """The pick the words ask for (the earliest, longest phrase), if any."""
        found = [
            (span, i)
            for i, pick in enumerate(self.picks)
            if (span := pick.words.span(text_words, language)) is not None
        ]
        return self.picks[min(found)[1]] if found else None
