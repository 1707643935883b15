"""`journeybot catalogue import|list` as a shop runs it: the real console script in a
subprocess, on a copy of the demo shop's content folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import DEMO_SHOP_DIR

JOURNEYBOT = [sys.executable, "-m", "bot"]
HEADER = "id,name,aliases,category,price,stock,url,description,description.es,specs.ram,colours"
GOOD_ROW = (
    'acer-nitro-5,Acer Nitro 5,Nitro|Nitro 5,laptops,"1.099,00",4,'
    "https://shop.example.com/products/acer-nitro-5,A gaming laptop.,Un portátil gaming.,"
    "16 GB,black"
)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(DEMO_SHOP_DIR, copy)
    return copy


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYBOT_")}
    env["JOURNEYBOT_LOG_LEVEL"] = "WARNING"
    return subprocess.run(
        [*JOURNEYBOT, "catalogue", *args], env=env, capture_output=True, text=True, timeout=120
    )


def listed(shop: Path) -> list[dict[str, object]]:
    result = run("list", "--json", "--shop-dir", str(shop))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_list_prints_one_json_object_per_product(shop: Path) -> None:
    products = listed(shop)

    assert len(products) == 18
    air = next(p for p in products if p["id"] == "macbook-air-13")
    assert {"id", "name", "category", "price", "currency", "specs", "stock"} <= set(air)
    assert (air["price"], air["currency"], air["stock"]) == (1249.0, "EUR", 12)
    assert air["specs"]["ram"] == "16 GB"  # type: ignore[index]


def test_list_prints_a_table(shop: Path) -> None:
    result = run("list", "--shop-dir", str(shop))

    assert result.returncode == 0, result.stderr
    assert "MacBook Air 13 M3" in result.stdout
    assert "€1,249.00" in result.stdout


def test_a_csv_with_mistakes_is_refused_naming_every_row_and_field(
    shop: Path, tmp_path: Path
) -> None:
    before = (shop / "catalogue.yml").read_bytes()
    csv = tmp_path / "products.csv"
    csv.write_text(
        "\n".join(
            [
                HEADER,
                GOOD_ROW,
                "bad,Bad,,phones,12,x,https://shop.example.com/p/bad,Bad,,,",
                'worse,Worse,,laptops,"12,x",3,https://shop.example.com/p/worse,Worse,,8 GB,',
                "again,Again,Nitro,laptops,100,3,https://shop.example.com/p/again,Again,,,",
            ]
        ),
        encoding="utf-8",
    )

    result = run("import", str(csv), "--shop-dir", str(shop))

    assert result.returncode == 1
    problems = result.stderr.splitlines()
    assert 'products.csv: row 3, field "stock": "x" is not a whole number' in problems
    assert any(p.startswith('products.csv: row 3, field "category": not one of') for p in problems)
    assert 'products.csv: row 4, field "price": "12,x" is not a number' in problems
    assert any(p.startswith('products.csv: row 5, field "aliases[0]": already') for p in problems)
    assert not any("row 2" in p for p in problems)
    assert (shop / "catalogue.yml").read_bytes() == before  # nothing written


def test_a_good_csv_is_merged_by_id_and_the_shop_still_loads(shop: Path, tmp_path: Path) -> None:
    csv = tmp_path / "products.csv"
    changed_air = (
        "macbook-air-13,MacBook Air 13 M3,MacBook Air|Air|MBA,laptops,1199,12,"
        "https://shop.example.com/products/macbook-air-13,Now cheaper.,,16 GB,silver"
    )
    csv.write_text(f"{HEADER}\n{GOOD_ROW}\n{changed_air}\n", encoding="utf-8")

    result = run("import", str(csv), "--merge", "--shop-dir", str(shop))

    assert result.returncode == 0, result.stderr
    assert "imported 2 product(s)" in result.stdout
    products = {p["id"]: p for p in listed(shop)}
    assert len(products) == 19
    assert products["acer-nitro-5"]["price"] == 1099.0
    assert products["acer-nitro-5"]["description"] == {
        "en": "A gaming laptop.",
        "es": "Un portátil gaming.",
    }
    assert products["macbook-air-13"]["price"] == 1199.0
    assert (shop / "catalogue.yml").read_text(encoding="utf-8").startswith("# The demo shop's")


def test_a_json_file_replaces_the_products(shop: Path, tmp_path: Path) -> None:
    items = [
        {
            "id": "only-one",
            "name": "Only One",
            "category": "accessories",
            "price": "19.90",
            "stock": 3,
            "url": "https://shop.example.com/products/only-one",
            "description": {"en": "The only product."},
        }
    ]
    path = tmp_path / "products.json"
    path.write_text(json.dumps({"products": items}), encoding="utf-8")

    result = run("import", str(path), "--shop-dir", str(shop))

    assert result.returncode == 0, result.stderr
    assert [(p["id"], p["price"]) for p in listed(shop)] == [("only-one", 19.9)]


def test_a_json_row_with_a_bad_field_is_refused(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps([{"id": "x", "name": "X", "stock": 1}]), encoding="utf-8")

    result = run("import", str(path), "--shop-dir", str(shop))

    assert result.returncode == 1
    assert 'products.json: row 1, field "category"' in result.stderr


def test_another_file_type_is_refused(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "products.xlsx"
    path.write_bytes(b"PK")

    result = run("import", str(path), "--shop-dir", str(shop))

    assert result.returncode == 1
    assert "expected a .csv or .json file" in result.stderr
