"""Errors of the domain core.

JourneyError
├── ContentError            a content file (already parsed) is invalid; names the file,
│   │                       the key path (``stages.retention.intents[2]``) and the value
│   ├── JourneyMapError     journey_map.yml
│   ├── ReplyTemplatesError replies.yml
│   ├── CatalogueError      catalogue.yml
│   ├── FaqError            faq.yml
│   ├── FactsError          facts.yml (the shop's shipping, returns, payment, warranty)
│   └── ShopError           the files disagree with each other
└── TemplateRenderError     a reply was rendered without a value it needs (a bug in the
                            caller: the placeholders are checked when templates load)
"""

from __future__ import annotations

from typing import Any

_MAX_VALUE_CHARS = 80


class JourneyError(Exception):
    """Base of every error the domain core raises."""


class ContentError(JourneyError):
    """A content file is invalid: ``source`` file, ``key`` path, offending ``value``."""

    def __init__(self, source: str, key: str, value: Any, problem: str) -> None:
        self.source = source
        self.key = key
        self.value = value
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem} (got {_show(value)})")


class JourneyMapError(ContentError):
    """The journey map is invalid."""


class ReplyTemplatesError(ContentError):
    """The reply templates are invalid."""


class CatalogueError(ContentError):
    """The catalogue is invalid."""


class FaqError(ContentError):
    """The FAQ file is invalid."""


class FactsError(ContentError):
    """The facts file is invalid."""


class ShopError(ContentError):
    """The journey map, replies and catalogue are each valid but disagree."""


class TemplateRenderError(JourneyError):
    """A template was rendered without one of its placeholder values."""


def _show(value: Any) -> str:
    """A short printable form of a bad value."""
    text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text
