"""Telegram's HTML parse mode as the Bot API applies it, for the fake server.

Telegram accepts a small set of tags, refuses a message whose tags are unknown or unbalanced
(``400 Bad Request: can't parse entities``), and keeps the visible text with entities
beside it; its 4096-character limit counts the visible text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
    "tg-spoiler", "tg-emoji", "blockquote",
}  # fmt: skip


class EntityError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description."""


@dataclass
class Parsed:
    """The visible text and the entities as ``(type, text)`` pairs, in order."""

    text: str = ""
    entities: list[tuple[str, str]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self.open: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.open.append((tag, len(self.parsed.text)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise EntityError(f'can\'t parse entities: unexpected end tag "{tag}"')
        _, start = self.open.pop()
        self.parsed.entities.append((tag, self.parsed.text[start:]))

    def handle_data(self, data: str) -> None:
        self.parsed.text += data


def parse_html(text: str) -> Parsed:
    """What Telegram shows for ``text`` sent with ``parse_mode=HTML``."""
    if _bare_angle(text):
        raise EntityError("can't parse entities: unexpected character")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise EntityError(f"can't parse entities: can't find end tag \"{parser.open[-1][0]}\"")
    return parser.parsed


def _bare_angle(text: str) -> bool:
    """A ``<`` that starts no tag (Telegram refuses it; it must be written ``&lt;``)."""
    i = text.find("<")
    while i != -1:
        nxt = text[i + 1 : i + 2]
        if not (nxt.isalpha() or nxt == "/"):
            return True
        i = text.find("<", i + 1)
    return False
