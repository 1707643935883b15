"""The structure of a Rasa 3.x NLU YAML file, read with line numbers for error messages.

This module checks the shape only (``version``, ``nlu`` list, ``intent`` / ``synonym`` /
``regex`` / ``lookup`` blocks, ``examples`` as a ``- item`` block or as a YAML list of
``text`` / ``metadata`` mappings or of plain strings); ``nlu.training_data`` gives the
blocks their meaning. Other top-level keys of a file (``responses``, ``rules``,
``stories``, ``intents``...) are left alone, so a file that mixes them with ``nlu`` loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nlu.errors import TrainingDataError

BLOCK_KINDS = ("intent", "synonym", "regex", "lookup")
SUPPORTED_MAJOR_VERSIONS = ("2", "3")


@dataclass(frozen=True, slots=True)
class RawItem:
    """One example of a block as written (annotations still in it) and its line."""

    text: str
    line: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawBlock:
    """One ``- intent: …`` (or synonym/regex/lookup) block of the ``nlu`` list."""

    kind: str
    name: str
    line: int
    items: tuple[RawItem, ...]
    metadata: dict[str, Any] = field(default_factory=dict)


def read_blocks(path: Path, *, required: bool) -> list[RawBlock] | None:
    """The blocks of one file; None when it has no ``nlu`` key and ``required`` is False."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TrainingDataError(str(path), None, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise TrainingDataError(str(path), None, f"cannot be read ({exc.strerror})") from exc
    loader = _loader_class()(text)
    try:
        return _FileReader(str(path), loader).blocks(loader.get_single_node(), required)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise TrainingDataError(str(path), line, f"invalid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise TrainingDataError(str(path), None, f"invalid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _loader_class() -> type[yaml.SafeLoader]:
    """libyaml's loader when PyYAML was built with it (ten times faster), else pure Python."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FileReader:
    """Walks the node tree of one file; every error names the file and the line."""

    def __init__(self, path: str, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader

    def fail(self, node: Node | None, problem: str) -> TrainingDataError:
        line = node.start_mark.line + 1 if node is not None else None
        return TrainingDataError(self.path, line, problem)

    def blocks(self, root: Node | None, required: bool) -> list[RawBlock] | None:
        if root is None or not isinstance(root, MappingNode):
            if root is None and not required:
                return None
            raise self.fail(root, "expected a mapping with an `nlu` key at the top level")
        top = self.mapping(root)
        if "version" in top:
            self.check_version(top["version"])
        if "nlu" not in top:
            if required:
                raise self.fail(root, "no `nlu` key: this is not an NLU training file")
            return None
        nlu = top["nlu"]
        if isinstance(nlu, ScalarNode) and self.value(nlu) is None:
            return []
        if not isinstance(nlu, SequenceNode):
            raise self.fail(nlu, "`nlu` must be a list of intent/synonym/regex/lookup blocks")
        return [self.block(item) for item in nlu.value]

    def mapping(self, node: MappingNode) -> dict[str, Node]:
        result: dict[str, Node] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise self.fail(key, "mapping keys must be plain names")
            result[str(key.value)] = value
        return result

    def value(self, node: Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def check_version(self, node: Node) -> None:
        version = str(self.value(node))
        if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
            raise self.fail(node, f"unsupported training data format version {version!r}")

    def block(self, node: Node) -> RawBlock:
        if not isinstance(node, MappingNode):
            raise self.fail(node, "each `nlu` item must be a mapping such as `- intent: greet`")
        fields = self.mapping(node)
        kind = next((k for k in BLOCK_KINDS if k in fields), None)
        if kind is None:
            raise self.fail(node, f"block has none of the keys {', '.join(BLOCK_KINDS)}")
        name_value = self.value(fields[kind])
        name = "" if name_value is None else str(name_value).strip()
        if not name:
            raise self.fail(node, f"empty {kind} name")
        if "examples" not in fields:
            raise self.fail(node, f"{kind} `{name}` has no `examples`")
        items = self.items(fields["examples"], kind, name)
        if not items:
            raise self.fail(fields["examples"], f"{kind} `{name}` has no examples")
        metadata = self.metadata(fields.get("metadata"))
        return RawBlock(kind, name, node.start_mark.line + 1, items, metadata)

    def metadata(self, node: Node | None) -> dict[str, Any]:
        if node is None:
            return {}
        value = self.value(node)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(node, "`metadata` must be a mapping")
        return value

    def items(self, node: Node, kind: str, name: str) -> tuple[RawItem, ...]:
        if isinstance(node, ScalarNode):
            return self.multiline_items(node, kind, name)
        if isinstance(node, SequenceNode):
            return tuple(self.listed_item(item, name) for item in node.value)
        expected = "a `|` block of `- ` lines or a list of `text:` mappings"
        raise self.fail(node, f"`examples` of {kind} `{name}` must be {expected}")

    def multiline_items(self, node: ScalarNode, kind: str, name: str) -> tuple[RawItem, ...]:
        text = self.value(node)
        if text is None:
            return ()
        # In a `|` or `>` block the content starts on the line after the indicator.
        first = node.start_mark.line + 1 + (1 if node.style in ("|", ">") else 0)
        items: list[RawItem] = []
        for offset, raw_line in enumerate(str(text).splitlines()):
            stripped = raw_line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            line = first + offset if node.style == "|" else first
            if not stripped.startswith("-"):
                raise TrainingDataError(
                    self.path, line, f"example of {kind} `{name}` must start with '- '"
                )
            items.append(RawItem(stripped[1:].strip(), line))
        return tuple(items)

    def listed_item(self, node: Node, name: str) -> RawItem:
        if isinstance(node, ScalarNode) and node.value.strip():
            return RawItem(str(node.value).strip(), node.start_mark.line + 1)
        if not isinstance(node, MappingNode) or "text" not in self.mapping(node):
            raise self.fail(node, f"each example of `{name}` needs a `text` key")
        fields = self.mapping(node)
        text = self.value(fields["text"])
        return RawItem(
            "" if text is None else str(text).strip(),
            fields["text"].start_mark.line + 1,
            self.metadata(fields.get("metadata")),
        )
