"""Training data in Rasa 3.x NLU YAML: its loaded, immutable form and the loader.

:func:`load_training_data` accepts files and folders (searched recursively for ``*.yml`` /
``*.yaml``). In a folder, YAML files without an ``nlu`` key (domain, stories, rules) are
skipped; a file named explicitly must have one. The language of an example is its block's
``metadata: {language: xx}`` (or the example's own metadata), else the file name (``en.yml``,
``nlu_es.yml``, ``it/nlu.yml``), else unknown (None).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.annotations import AnnotationError, parse_annotated
from nlu.errors import TrainingDataError
from nlu.rasa_yaml import RawBlock, read_blocks
from nlu.types import LANGUAGES, Entity

YAML_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class Example:
    """One training sentence: plain text (annotations stripped), its intent and entities."""

    text: str
    intent: str
    language: str | None = None
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class Synonym:
    """A ``synonym`` block: every surface form maps to ``value``."""

    value: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegexPattern:
    """One pattern of a ``regex`` block."""

    name: str
    pattern: str


@dataclass(frozen=True, slots=True)
class LookupTable:
    """A ``lookup`` block: values of the entity (or feature) called ``name``."""

    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrainingData:
    """Everything read from one or more NLU training files."""

    examples: tuple[Example, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    regexes: tuple[RegexPattern, ...] = ()
    lookups: tuple[LookupTable, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def intents(self) -> frozenset[str]:
        """The intent names that have at least one example."""
        return frozenset(e.intent for e in self.examples)

    @property
    def languages(self) -> frozenset[str]:
        """The languages of the examples (unknown languages left out)."""
        return frozenset(e.language for e in self.examples if e.language)

    @property
    def entity_types(self) -> frozenset[str]:
        """The entity names annotated in at least one example."""
        return frozenset(ent.entity for e in self.examples for ent in e.entities)

    def synonym_map(self) -> dict[str, str]:
        """Lower-case surface form → normalised value, from synonym blocks and annotations.

        An annotation whose value differs from its text (``[NYC](city:New York)``) is a
        synonym too, as in Rasa.
        """
        mapping: dict[str, str] = {}
        for example in self.examples:
            for entity in example.entities:
                if entity.value != entity.text:
                    mapping[entity.text.lower()] = entity.value
        for synonym in self.synonyms:
            for form in synonym.examples:
                mapping[form.lower()] = synonym.value
        return mapping

    def for_language(self, language: str) -> TrainingData:
        """The same data restricted to the examples of one language."""
        examples = tuple(e for e in self.examples if e.language == language)
        return TrainingData(examples, self.synonyms, self.regexes, self.lookups, self.sources)

    def merged(self, other: TrainingData) -> TrainingData:
        """This data followed by ``other``."""
        return TrainingData(
            self.examples + other.examples,
            self.synonyms + other.synonyms,
            self.regexes + other.regexes,
            self.lookups + other.lookups,
            self.sources + other.sources,
        )

    def fingerprint(self) -> str:
        """A sha256 of the content, independent of file names and of the order of blocks."""
        content = {
            "examples": sorted(
                [
                    e.text,
                    e.intent,
                    e.language or "",
                    [[n.entity, n.value, n.start, n.end] for n in e.entities],
                ]
                for e in self.examples
            ),
            "synonyms": sorted([s.value, sorted(s.examples)] for s in self.synonyms),
            "regexes": sorted([r.name, r.pattern] for r in self.regexes),
            "lookups": sorted([t.name, sorted(t.elements)] for t in self.lookups),
        }
        encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()


def load_training_data(paths: str | Path | Iterable[str | Path]) -> TrainingData:
    """Read every NLU training file found in ``paths`` (files or folders, recursively).

    Raises ``TrainingDataError`` naming the file, the line and the problem when a file is
    broken, when a path does not exist, or when no training file is found at all.
    """
    path_list = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    data = TrainingData()
    for path in path_list:
        for file, explicit in _yaml_files(path):
            blocks = read_blocks(file, required=explicit)
            if blocks is not None:
                data = data.merged(_from_blocks(file, blocks))
    if not data.sources:
        where = ", ".join(str(p) for p in path_list) or "(no path)"
        raise TrainingDataError(where, None, "no NLU training file (YAML with an `nlu` key)")
    return data


def _yaml_files(path: Path) -> list[tuple[Path, bool]]:
    """The YAML files under ``path``, each with whether it was named explicitly."""
    if path.is_file():
        return [(path, True)]
    if path.is_dir():
        return [
            (file, False)
            for file in sorted(path.rglob("*"))
            if file.suffix.lower() in YAML_SUFFIXES and file.is_file()
        ]
    raise TrainingDataError(str(path), None, "no such file or folder")


def _from_blocks(file: Path, blocks: list[RawBlock]) -> TrainingData:
    file_language = language_from_path(file)
    examples: list[Example] = []
    synonyms: list[Synonym] = []
    regexes: list[RegexPattern] = []
    lookups: list[LookupTable] = []
    for block in blocks:
        texts = tuple(item.text for item in block.items)
        if block.kind == "intent":
            block_language = _language_of(file, block.line, block.metadata) or file_language
            for item in block.items:
                language = _language_of(file, item.line, item.metadata) or block_language
                text, entities = _parse_example(file, item.line, item.text)
                examples.append(Example(text, block.name, language, entities))
        elif block.kind == "synonym":
            synonyms.append(Synonym(block.name, texts))
        elif block.kind == "regex":
            for item in block.items:
                _check_pattern(file, item.line, item.text)
            regexes.extend(RegexPattern(block.name, t) for t in texts)
        else:
            lookups.append(LookupTable(block.name, texts))
    return TrainingData(
        tuple(examples), tuple(synonyms), tuple(regexes), tuple(lookups), (str(file),)
    )


def _parse_example(file: Path, line: int, raw: str) -> tuple[str, tuple[Entity, ...]]:
    try:
        text, entities = parse_annotated(raw)
    except AnnotationError as exc:
        raise TrainingDataError(str(file), line, f"{exc} in example {raw!r}") from exc
    if not text.strip():
        raise TrainingDataError(str(file), line, "empty example")
    return text, entities


def _check_pattern(file: Path, line: int, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise TrainingDataError(str(file), line, f"invalid regex {pattern!r}: {exc}") from exc


def _language_of(file: Path, line: int, metadata: dict[str, Any]) -> str | None:
    language = metadata.get("language")
    if language is None:
        return None
    if not isinstance(language, str) or not language.strip():
        raise TrainingDataError(str(file), line, f"metadata language {language!r} is not a code")
    return language.strip().lower()


def language_from_path(path: Path) -> str | None:
    """The language a file name implies: ``en.yml``, ``nlu_es.yml``, ``it/nlu.yml``."""
    stem = path.stem.lower()
    if re.fullmatch(r"[a-z]{2}", stem):
        return stem
    for part in re.split(r"[._-]", stem):
        if part in LANGUAGES:
            return part
    parent = path.parent.name.lower()
    return parent if parent in LANGUAGES else None
