"""Entity annotations inside training examples, in Rasa's markdown-like syntax.

Three forms are understood, all of them stripped from the example text:

* ``[XPS 13](product)`` — the entity, its value is the annotated text;
* ``[the cheap one](product:ideapad-3)`` — Rasa 2 shorthand with an explicit value;
* ``[XPS 13]{"entity": "product", "value": "xps-13"}`` — the JSON form (Rasa 3), also
  as a list ``[XPS 13][{"entity": "product"}, {"entity": "brand", "value": "dell"}]``.

A bracketed text followed by neither ``(``, ``{`` nor ``[`` is kept as literal text.
"""

from __future__ import annotations

import json
from typing import Any

from nlu.types import Entity


class AnnotationError(ValueError):
    """An example's entity annotation is malformed; the message says how."""


def parse_annotated(raw: str) -> tuple[str, tuple[Entity, ...]]:
    """Split an annotated example into its plain text and the entities it marks."""
    out: list[str] = []
    entities: list[Entity] = []
    length = 0
    i = 0
    while i < len(raw):
        opening = raw.find("[", i)
        if opening == -1:
            out.append(raw[i:])
            break
        out.append(raw[i:opening])
        length += opening - i
        closing = _closing_bracket(raw, opening)
        inner = raw[opening + 1 : closing]
        annotations, i = _annotations_after(raw, closing, inner)
        if annotations is None:  # literal brackets, not an annotation
            out.append(raw[opening : closing + 1])
            length += closing + 1 - opening
            continue
        if not inner.strip():
            raise AnnotationError(f"empty entity text at column {opening + 1}")
        for entity, value in annotations:
            entities.append(Entity(entity, value or inner, length, length + len(inner), inner))
        out.append(inner)
        length += len(inner)
    return "".join(out), tuple(entities)


def _closing_bracket(raw: str, opening: int) -> int:
    closing = raw.find("]", opening + 1)
    nested = raw.find("[", opening + 1)
    if closing == -1 or (nested != -1 and nested < closing):
        raise AnnotationError(f"unclosed '[' at column {opening + 1}")
    return closing


def _annotations_after(
    raw: str, closing: int, inner: str
) -> tuple[list[tuple[str, str | None]] | None, int]:
    """The annotations that follow ``[inner]`` and the index after them (None: literal)."""
    start = closing + 1
    follower = raw[start : start + 1]
    if follower == "(":
        end = raw.find(")", start)
        if end == -1:
            raise AnnotationError(f"unclosed '(' after [{inner}]")
        entity, _, value = raw[start + 1 : end].partition(":")
        return [_checked(entity.strip(), value.strip() or None, inner)], end + 1
    if follower in ("{", "["):
        try:
            parsed, end = json.JSONDecoder().raw_decode(raw, start)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"invalid entity JSON after [{inner}]: {exc.msg}") from exc
        items = parsed if isinstance(parsed, list) else [parsed]
        return [_from_json(item, inner) for item in items], end
    return None, start


def _from_json(item: Any, inner: str) -> tuple[str, str | None]:
    if not isinstance(item, dict) or "entity" not in item:
        raise AnnotationError(f'annotation of [{inner}] needs an object with an "entity" key')
    value = item.get("value")
    return _checked(str(item["entity"]).strip(), None if value is None else str(value), inner)


def _checked(entity: str, value: str | None, inner: str) -> tuple[str, str | None]:
    if not entity:
        raise AnnotationError(f"empty entity name in the annotation of [{inner}]")
    return entity, value
