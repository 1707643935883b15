"""``journeybot catalogue``: import products from CSV or JSON, list what is loaded.

``import FILE`` reads ``.csv`` or ``.json`` (by extension), checks every row, and only when
all of them are right writes the shop's ``catalogue.yml`` atomically: the products replace
the current ones, or with ``--merge`` are added to them by id (a row with a known id
replaces that product). Nothing is written when any row is wrong; every wrong field is
reported as ``products.csv: row 7, field "price": "12,x" is not a number``.

CSV columns: ``id``, ``name``, ``category``, ``price``, ``stock``, ``url``, optional
``currency``, ``aliases`` and ``colours`` (several values separated by ``|``), and dotted
columns for nested values: ``description.en``, ``specs.ram``, ``policies.warranty.es``
(a plain ``description`` is English). Rows are counted as a spreadsheet shows them: the
header is row 1. JSON: a list of product objects shaped as in ``catalogue.yml`` (or an
object with a ``products`` list); rows are counted from 1.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from bot.shop_files import CATALOGUE_FILE, ShopFilesError, load_facts, load_shop, read_yaml
from journeys.catalogue import Catalogue
from journeys.catalogue_schema import (
    CatalogueParts,
    index_surfaces,
    read_catalogue,
    read_product,
)
from journeys.checks import Checker
from journeys.errors import CatalogueError, ContentError
from journeys.facts import ShopFacts
from journeys.formatting import format_price

LIST_SEPARATOR = "|"
_LIST_FIELDS = ("aliases", "colours")
_NUMBER = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?$|^\d+(?:[.,]\d{1,2})?$")
_KEY = re.compile(r"^products(?:\[\d+\]|\.[a-z0-9-]+)\.?(?P<field>.*)$")


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the hand-written content files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` lists every wrong row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def run(args: Any, shop_dir: Path) -> int:
    """Dispatch ``journeybot catalogue import|list``."""
    directory = Path(args.shop_dir) if args.shop_dir else shop_dir
    if args.catalogue_command == "import":
        return import_command(Path(args.file), directory, merge=args.merge)
    return list_command(directory, as_json=args.json)


def import_command(path: Path, directory: Path, *, merge: bool) -> int:
    """Check ``path`` and write the shop's catalogue; print what happened."""
    try:
        count = import_products(path, directory, merge=merge)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(problem, file=sys.stderr)
        print(f"nothing imported: {len(refused.problems)} problem(s)", file=sys.stderr)
        return 1
    except (ShopFilesError, ContentError, OSError) as error:
        print(f"nothing imported: {error}", file=sys.stderr)
        return 1
    print(f"imported {count} product(s) into {directory / CATALOGUE_FILE}")
    return 0


def import_products(path: Path, directory: Path, *, merge: bool) -> int:
    """Import ``path`` into ``directory``'s catalogue; return how many products it had."""
    target = directory / CATALOGUE_FILE
    current = read_yaml(target)
    rows = list(read_rows(path))
    if not rows:
        raise ImportRefused([f"{path.name}: no products in the file"])
    facts = load_facts(directory, current)
    parts = read_catalogue(current, str(target), facts)
    products = _checked(path.name, rows, parts, facts)
    kept = list(current.get("products", [])) if merge else []
    by_id = {str(p.get("id")): i for i, p in enumerate(kept) if isinstance(p, dict)}
    for product in products:
        if product["id"] in by_id:
            kept[by_id[product["id"]]] = product
        else:
            kept.append(product)
    updated = {**current, "products": kept}
    load_shop(directory, updated)  # still agrees with the replies and FAQ (labels, policies)
    write_catalogue(target, updated)
    return len(products)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, product mapping) for each row of a ``.csv`` or ``.json`` file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            yield from _csv_rows(path)
        elif suffix == ".json":
            yield from _json_rows(path)
        else:
            raise ImportRefused([f"{path.name}: expected a .csv or .json file"])
    except (UnicodeDecodeError, csv.Error) as error:
        raise ImportRefused([f"{path.name}: not a UTF-8 {suffix[1:]} file ({error})"]) from error


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        for number, record in enumerate(reader, start=2):
            product: dict[str, Any] = {}
            for column, cell in record.items():
                if column is None or cell is None or not cell.strip():
                    continue
                _put(product, column.strip(), cell.strip())
            yield number, product


def _put(product: dict[str, Any], column: str, cell: str) -> None:
    if column == "description":
        column = "description.en"
    path = column.split(".")
    if path[-1] in _LIST_FIELDS and len(path) == 1:
        product[column] = [v.strip() for v in cell.split(LIST_SEPARATOR) if v.strip()]
        return
    node = product
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = cell


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [f"{path.name}: line {error.lineno}: invalid JSON: {error.msg}"]
        ) from error
    items = data.get("products") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportRefused([f"{path.name}: expected a list of products"])
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportRefused([f"{path.name}: row {number}: expected an object"])
        yield number, item


def _checked(
    name: str, rows: list[tuple[int, dict[str, Any]]], parts: CatalogueParts, facts: ShopFacts
) -> list[dict[str, Any]]:
    """Every row coerced and validated; ImportRefused with all the problems found."""
    problems: list[str] = []
    accepted: list[dict[str, Any]] = []
    rules = _Rules(Checker(CatalogueError, name), parts, facts)
    for number, raw in rows:
        row_problems = rules.problems(number, raw)
        problems += [f"{name}: row {number}, {p}" for p in row_problems]
        if not row_problems:
            accepted.append(raw)
    if problems:
        raise ImportRefused(problems)
    return accepted


class _Rules:
    """Checks rows one by one, remembering ids and names across them."""

    def __init__(self, check: Checker, parts: CatalogueParts, facts: ShopFacts) -> None:
        self.check = check
        self.parts = parts
        self.facts = facts
        self.surfaces: dict[str, str] = {}
        self.rows: dict[str, int] = {}

    def problems(self, number: int, raw: dict[str, Any]) -> list[str]:
        """The problems of one row (its price and stock become numbers when they read so)."""
        problems, stand_ins = _coerce(raw)
        categories = tuple(c.name for c in self.parts.categories)
        try:
            product = read_product(
                self.check, {**raw, **stand_ins}, "products[0]", self.parts.currency, categories,
                self.parts.colours, self.facts,
            )  # fmt: skip
            index_surfaces(self.check, product, self.surfaces, f"products.{product.id}")
        except CatalogueError as error:
            return [*problems, _field_problem(error)]
        if product.id in self.rows:
            problems.append(f'field "id": "{product.id}" is already on row {self.rows[product.id]}')
        self.rows.setdefault(product.id, number)
        return problems


def _coerce(raw: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Turn the price and stock cells into numbers; the problems, and valid stand-ins for
    the wrong cells so the rest of the row can still be checked."""
    problems: list[str] = []
    stand_ins: dict[str, Any] = {}
    price = raw.get("price")
    if isinstance(price, str):
        parsed = _price(price)
        if parsed is None:
            problems.append(f'field "price": "{price}" is not a number')
            stand_ins["price"] = 1
        else:
            raw["price"] = float(parsed)
    stock = raw.get("stock")
    if isinstance(stock, str):
        if stock.strip().isdigit():
            raw["stock"] = int(stock)
        else:
            problems.append(f'field "stock": "{stock}" is not a whole number')
            stand_ins["stock"] = 0
    return problems, stand_ins


def _price(text: str) -> str | None:
    """``1299``, ``1299.00``, ``1.299,00``, ``1,299.00`` → ``"1299.00"`` (None if not a number)."""
    cleaned = text.strip().removeprefix("€").removesuffix("€").strip()
    if not _NUMBER.match(cleaned):
        return None
    last = max(cleaned.rfind("."), cleaned.rfind(","))
    if last >= 0 and len(cleaned) - last - 1 == 3:
        last = -1
    whole = re.sub(r"[.,\s]", "", cleaned if last < 0 else cleaned[:last])
    cents = "" if last < 0 else cleaned[last + 1 :]
    try:
        return str(Decimal(f"{whole}.{cents}" if cents else whole))
    except InvalidOperation:
        return None


def _field_problem(error: CatalogueError) -> str:
    match = _KEY.match(error.key)
    field = match.group("field") if match else error.key
    return f'field "{field or "id"}": {error.problem} (got {error.value!r})'


def write_catalogue(target: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``target`` atomically, keeping the comments above ``products:``."""
    products = _dump({"products": data["products"]})
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    head, found, _ = text.partition("\nproducts:")
    rest = {k: v for k, v in data.items() if k != "products"}
    if found and (yaml.safe_load(head) or {}) == rest:
        body = head.rstrip("\n") + "\n\n" + products
    else:
        body = _dump(rest) + "\n" + products
    handle, temporary = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(body)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def list_command(directory: Path, *, as_json: bool) -> int:
    """Print the loaded products as a table or as JSON lines."""
    try:
        catalogue = load_shop(directory).catalogue
    except (ShopFilesError, ContentError) as error:
        print(f"journeybot: {error}", file=sys.stderr)
        return 1
    if as_json:
        for line in product_lines(catalogue):
            print(line)
        return 0
    table = Table("id", "name", "category", "price", "stock", "specs")
    for p in catalogue:
        specs = ", ".join(f"{k}: {v}" for k, v in p.specs[:3])
        table.add_row(
            p.id, p.name, p.category, format_price(p.price, p.currency, "en"), str(p.stock), specs
        )
    Console(width=160).print(table)
    return 0


def product_lines(catalogue: Catalogue) -> Iterator[str]:
    """One JSON object per product."""
    for p in catalogue:
        yield json.dumps(
            {
                "id": p.id,
                "name": p.name,
                "aliases": list(p.aliases),
                "category": p.category,
                "price": float(p.price),
                "currency": p.currency,
                "specs": dict(p.specs),
                "stock": p.stock,
                "url": p.url,
                "review_url": p.review_url,
                "colours": list(p.colours),
                "description": dict(p.descriptions),
                "policies": {name: dict(texts) for name, texts in p.policies},
            },
            ensure_ascii=False,
        )
