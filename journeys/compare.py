"""Two or three products side by side, as text a chat shows.

The table (a preformatted block, so chats show it in a monospace font; the same as data in
``Reply.table`` for channels that draw tables) has the price and then every spec any of
them has, values aligned in columns (long ones cut with "…"); rows whose values differ are
marked ``*``. Values with numbers compare by their numbers in common units (``16 GB`` and
``16 GB LPDDR5x`` are the same RAM; ``1 TB`` and ``1000 GB`` the same storage), other
values by their text. Under the table one line gives the verdict on what the customer
asked about ("which is lighter?"), else on the biggest difference among the specs the shop
says how to compare (``spec_comparatives``), price included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from journeys.answers import COLOURS_SPEC, spec_text
from journeys.catalogue import Catalogue, Product
from journeys.formatting import format_price
from journeys.model import Reply, Table, TableRow, preformatted
from journeys.replies import Speaker
from journeys.specs import PRICE, Comparative, Quantity, numbers

MAX_CELL = 20
"""Longest value shown in a cell; longer ones are cut with "…"."""
DIFFERS = "*"


@dataclass(frozen=True, slots=True)
class _Row:
    key: str
    label: str
    cells: tuple[str, ...]
    numbers: tuple[Quantity | None, ...]

    @property
    def differs(self) -> bool:
        """Different numbers, or different words where there are no numbers to compare."""
        found = [numbers(cell) for cell in self.cells]
        if all(found):
            return len(set(found)) > 1
        return len(set(self.cells)) > 1


def compare_reply(
    products: Sequence[Product], asked: Sequence[str], catalogue: Catalogue, speaker: Speaker
) -> Reply:
    """The side-by-side table and the verdict line."""
    rows = _rows(products, catalogue, speaker)
    reply = speaker.say(
        "answer_compare",
        table=preformatted(_table(products, rows)),
        difference=_difference(products, rows, asked, speaker),
    )
    table = Table(
        columns=tuple(p.name for p in products),
        rows=tuple(TableRow(r.label, r.cells, r.differs) for r in rows),
    )
    return replace(reply, table=table)


def _rows(products: Sequence[Product], catalogue: Catalogue, speaker: Speaker) -> list[_Row]:
    keys = list(dict.fromkeys(k for p in products for k, _ in p.specs))
    if any(p.colours for p in products):
        keys.append(COLOURS_SPEC)
    rows = [
        _Row(
            PRICE,
            speaker.label(PRICE),
            tuple(format_price(p.price, p.currency, speaker.language) for p in products),
            tuple(catalogue.quantity(p, PRICE) for p in products),
        )
    ]
    for key in keys:
        cells = tuple(spec_text(p, key, speaker, catalogue) or "–" for p in products)
        numbers = tuple(catalogue.quantity(p, key) for p in products)
        rows.append(_Row(key, speaker.label(key), cells, numbers))
    return rows


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1].rstrip() + "…"


def _table(products: Sequence[Product], rows: list[_Row]) -> str:
    label_width = max(len(r.label) for r in rows)
    header = [_cut(p.name) for p in products]
    columns = [
        max(len(header[i]), *(len(_cut(r.cells[i])) for r in rows)) for i in range(len(products))
    ]

    def line(mark: str, label: str, cells: Sequence[str]) -> str:
        padded = [_cut(c).ljust(w) for c, w in zip(cells, columns, strict=True)]
        return f"{mark} {label.ljust(label_width)} | {' | '.join(padded)}".rstrip()

    lines = [line(" ", "", header)]
    lines += [line(DIFFERS if r.differs else " ", r.label, r.cells) for r in rows]
    return "\n".join(lines)


def _difference(
    products: Sequence[Product], rows: list[_Row], asked: Sequence[str], speaker: Speaker
) -> str:
    comparatives = speaker.templates.specs.comparatives
    comparable = [r for r in rows if r.key in comparatives and _same_unit(r)]
    for key in asked:
        row = next((r for r in comparable if r.key == key), None)
        if row is not None:
            return _verdict(products, row, comparatives[key], speaker)
    differing = [r for r in comparable if r.differs]
    if not differing:
        return ""
    biggest = max(differing, key=_spread)
    return _verdict(products, biggest, comparatives[biggest.key], speaker)


def _same_unit(row: _Row) -> bool:
    return None not in row.numbers and len({q.unit for q in row.numbers if q is not None}) == 1


def _spread(row: _Row) -> float:
    values = [q.value for q in row.numbers if q is not None]
    top = max(abs(v) for v in values) or 1.0
    return (max(values) - min(values)) / top


def _verdict(
    products: Sequence[Product], row: _Row, comparative: Comparative, speaker: Speaker
) -> str:
    values = [q.value if q is not None else 0.0 for q in row.numbers]
    if not row.differs:
        return speaker.text("compare_tie", spec=row.label, value=row.cells[0])
    best = max(values) if comparative.higher_is_better else min(values)
    winner = values.index(best)
    others = "; ".join(f"{p.name}: {row.cells[i]}" for i, p in enumerate(products) if i != winner)
    verdict = comparative.phrase(speaker.language).format(product=products[winner].name)
    return speaker.text(
        "compare_difference", verdict=verdict, values=f"{row.cells[winner]}; {others}"
    )
