"""A reply's text as plain and preformatted parts, for channels that can show both.

Journeys marks a preformatted block (a comparison table) with lines of ``FENCE`` around it,
as Markdown does. A fence without its closing partner is ordinary text, so a message cut in
two by a channel's length limit still reads right.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from journeys.model import FENCE


@dataclass(frozen=True, slots=True)
class Part:
    """A run of text; ``preformatted`` runs are shown in a monospace font."""

    text: str
    preformatted: bool = False


def parts(text: str) -> list[Part]:
    """``text`` split into plain and preformatted parts, in order, fences left out."""
    found: list[Part] = []
    plain: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        end = _closing(lines, i)
        if end is None:
            plain.append(lines[i])
            i += 1
            continue
        if plain:
            found.append(Part("\n".join(plain)))
            plain = []
        found.append(Part("\n".join(lines[i + 1 : end]), preformatted=True))
        i = end + 1
    if plain or not found:
        found.append(Part("\n".join(plain)))
    return found


def _closing(lines: list[str], start: int) -> int | None:
    """The index of the fence closing a block opened at ``start`` (None: no block there)."""
    if lines[start].strip() != FENCE:
        return None
    for i in range(start + 1, len(lines)):
        if lines[i].strip() == FENCE:
            return i
    return None


def plain_text(text: str) -> str:
    """``text`` without its fences (for channels whose font is monospace anyway)."""
    return "\n".join(part.text for part in parts(text))


def telegram_html(text: str) -> str:
    """``text`` for Telegram's HTML parse mode: escaped, preformatted parts in ``<pre>``."""
    return "\n".join(
        f"<pre>{html.escape(p.text, quote=False)}</pre>"
        if p.preformatted
        else html.escape(p.text, quote=False)
        for p in parts(text)
    )
