"""Touchpoints as CSV or JSON Lines, written batch by batch (never all in memory)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from storage.queries import EXPORT_COLUMNS

FORMATS = ("csv", "jsonl", "parquet")
NUMBER_COLUMNS = {"id": "int", "agent_id": "int", "confidence": "float", "latency_ms": "float"}
"""The exported columns that are numbers; every other one is text (or a list as JSON)."""


def columns(include_text: bool) -> tuple[str, ...]:
    """The exported columns (``text`` only when asked for)."""
    return EXPORT_COLUMNS if include_text else tuple(c for c in EXPORT_COLUMNS if c != "text")


def plain(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``row`` with JSON-ready values, only the columns ``names``."""
    out: dict[str, Any] = {}
    for name in names:
        value = row[name]
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def csv_header(names: tuple[str, ...]) -> str:
    """The CSV header line."""
    return _csv([list(names)])


def csv_rows(rows: Iterable[dict[str, Any]], names: tuple[str, ...]) -> str:
    """CSV lines of ``rows`` (lists, such as ``products``, as JSON)."""
    return _csv(
        [
            [
                json.dumps(v) if isinstance(v, list) else ("" if v is None else v)
                for v in plain(r, names).values()
            ]
            for r in rows
        ]
    )


def jsonl_rows(rows: Iterable[dict[str, Any]], names: tuple[str, ...]) -> str:
    """One JSON object per line."""
    return "".join(json.dumps(plain(r, names), ensure_ascii=False) + "\n" for r in rows)


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
