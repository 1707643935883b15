"""Entity extraction by lookup: catalogue names, training lookups/synonyms/annotations, regexes.

Sources, in order of precedence when two of them claim the same words:

1. the ``EntityLookup`` tables given at construction (the shop's catalogue names and
   aliases), value = the lookup's normalised value;
2. the training data: ``lookup`` blocks, the texts annotated in examples
   (``[XPS 13](product)``) and ``synonym`` blocks whose value is a known entity value,
   value = the synonym's value when there is one;
3. ``regex`` blocks, each yielding entities named after the block;
4. the ``amount`` recogniser for budgets and prices (``nlu.embedded.money``);
5. the built-in ``order_id`` and ``quantity`` recognisers (``nlu.embedded.builtin_entities``).

Phrases match case-insensitively on word boundaries, longest first, with one typo
tolerated in words of five letters or more (see ``nlu.embedded.matching``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlu.embedded.builtin_entities import builtin_entities
from nlu.embedded.matching import PhraseIndex, phrase_words, tokenize
from nlu.embedded.money import amounts
from nlu.training_data import TrainingData
from nlu.types import Entity, EntityLookup

FUZZY_CONFIDENCE = 0.9
BUILTIN_TYPES = frozenset({"order_id", "quantity", "amount"})


@dataclass(frozen=True, slots=True)
class _Target:
    entity: str
    value: str
    extractor: str


class EntityExtractor:
    """Finds entities in a message from lookup tables and regular expressions."""

    def __init__(
        self,
        lookups: Sequence[EntityLookup] = (),
        training: TrainingData | None = None,
    ) -> None:
        data = training or TrainingData()
        self._synonyms = data.synonym_map()
        self._targets: dict[tuple[str, ...], _Target] = {}
        for table in _training_tables(data):
            self._add(table, "training_data")
        for lookup in lookups:
            self._add(lookup, "lookup")
        self._index = PhraseIndex(self._targets)
        self._regexes = [(r.name, re.compile(r.pattern, re.IGNORECASE)) for r in data.regexes]

    def _add(self, lookup: EntityLookup, extractor: str) -> None:
        for surface, value in lookup.synonyms.items():
            words = phrase_words(surface)
            if words:
                self._targets[words] = _Target(lookup.entity, value, extractor)

    @property
    def entity_types(self) -> frozenset[str]:
        """The entity names this extractor can produce."""
        names = {t.entity for t in self._targets.values()}
        return frozenset(names | {name for name, _ in self._regexes} | BUILTIN_TYPES)

    def extract(self, text: str) -> tuple[Entity, ...]:
        """Every entity found in ``text``, in order of appearance."""
        found: list[Entity] = []
        for match in self._index.find(tokenize(text)):
            target = self._targets[match.phrase]
            found.append(
                Entity(
                    entity=target.entity,
                    value=target.value,
                    start=match.start,
                    end=match.end,
                    text=text[match.start : match.end],
                    confidence=FUZZY_CONFIDENCE if match.typos else 1.0,
                    extractor=target.extractor,
                )
            )
        for name, pattern in self._regexes:
            for m in pattern.finditer(text):
                if m.end() > m.start() and not _overlaps(m.start(), m.end(), found):
                    value = self._synonyms.get(m.group().lower(), m.group())
                    found.append(Entity(name, value, m.start(), m.end(), m.group(), 1.0, "regex"))
        for entity in [*amounts(text), *builtin_entities(text)]:
            if not _overlaps(entity.start, entity.end, found):
                found.append(entity)
        return tuple(sorted(found, key=lambda e: e.start))


def _overlaps(start: int, end: int, entities: Iterable[Entity]) -> bool:
    return any(start < e.end and e.start < end for e in entities)


def _training_tables(data: TrainingData) -> list[EntityLookup]:
    """The training data's lookup blocks, annotations and synonyms as lookup tables."""
    synonyms = data.synonym_map()
    tables: dict[str, dict[str, str]] = {}
    for table in data.lookups:
        forms = tables.setdefault(table.name, {})
        for element in table.elements:
            forms[element.lower()] = synonyms.get(element.lower(), element)
    for example in data.examples:
        for entity in example.entities:
            tables.setdefault(entity.entity, {})[entity.text.lower()] = entity.value
    for synonym in data.synonyms:
        for forms in tables.values():
            if synonym.value in forms.values() or synonym.value.lower() in forms:
                forms.update({form.lower(): synonym.value for form in synonym.examples})
                forms.setdefault(synonym.value.lower(), synonym.value)
                break
    return [EntityLookup(name, forms) for name, forms in tables.items()]
