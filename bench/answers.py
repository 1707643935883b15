"""Consideration answers in-process: latency and throughput beside a floor from the same run.

Builds a shop from the demo content with a generated catalogue of 5,000 products (the demo
products among them) and 500 FAQ entries (the demo ones among them), trains the embedded
NLU with the big catalogue's names, and interprets a mix of consideration questions in
English, Spanish and Italian (price, specs, stock, colours, comparisons, recommendations,
FAQ, unknown and ambiguous names) once. Then it times ``decide()`` on them:

* answer latency p50/p99 per kind and overall (goal: p99 under 20 ms);
* messages per second of the consideration questions next to the floor: the same loop
  deciding a greeting (a template reply, no catalogue or FAQ work), and the ratio;
* the same two loops with the NLU's interpretation included;
* through HTTP: the consideration questions posted to ``journeybot serve`` running this
  shop on SQLite, next to the core loop's floor (bench/pipeline.py's bare aiohttp server
  with two inserts per message), and the ratio.

Run: .venv/bin/python -m bench.answers [--products 5000] [--faq 500] [--rounds 20]
     [--requests 2000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.pipeline import measure
from journeys.dialogue import decide
from journeys.model import CustomerState
from journeys.shop import Shop
from nlu.embedded import EmbeddedBackend
from nlu.types import EntityLookup, Interpretation

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "bot" / "content" / "demo_shop"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

# (kind, language, text, products discussed before it)
QUESTIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("price", "en", "how much is the XPS 13?", ()),
    ("price", "es", "¿cuánto cuesta el MacBook Air?", ()),
    ("price", "it", "quanto costa lo Zenbook 14?", ()),
    ("price", "en", "and how much does it cost?", ("thinkpad-x1-carbon",)),
    ("spec", "en", "how much RAM does the ThinkPad have?", ()),
    ("spec", "es", "¿cuánto pesa el MacBook Pro?", ()),
    ("spec", "it", "quanto dura la batteria del MacBook Air?", ()),
    ("spec", "en", "what are the specs of the Surface Laptop?", ()),
    ("stock", "en", "is the HP Pavilion in stock?", ()),
    ("stock", "it", "e in nero?", ("macbook-air-13",)),
    ("compare", "en", "XPS 13 vs MacBook Air, which is lighter?", ()),
    ("compare", "es", "¿qué diferencia hay entre el Zenbook y el IdeaPad?", ()),
    ("compare", "it", "confronta il ThinkPad, l'XPS 13 e il MacBook Air", ()),
    ("recommend", "en", "a light laptop for travel under 900€", ()),
    ("recommend", "es", "recomiéndame un portátil para estudiantes por menos de 700 euros", ()),
    ("recommend", "it", "consigliami un portatile da gaming sotto i 2.000 euro", ()),
    ("faq", "en", "do you ship to Portugal?", ()),
    ("faq", "es", "¿puedo devolverlo si ya lo he abierto?", ()),
    ("faq", "it", "posso pagare a rate?", ()),
    ("faq", "en", "what are your opening hours?", ()),
    ("unknown", "en", "how much is the Galaxy Book 3?", ()),
    ("unknown", "es", "¿tenéis el MacBook Air M2?", ()),
    ("ambiguous", "en", "how much is the MacBook?", ()),
]
FLOOR_TEXTS = ["hello", "hola", "ciao"]

_BRANDS = ["Nova", "Orbit", "Vertex", "Lumen", "Quark", "Helix", "Zenit", "Atlas", "Pico", "Strato"]
_SERIES = ["Book", "Air", "Pro", "Flex", "Edge", "Go", "Max", "Slim", "Core", "Studio"]
_WORDS = """delivery parcel invoice voucher gift wrap engraving insurance repair battery
charger adapter cable student teacher company bulk order pickup locker express weekend holiday
island customs duty tax refund exchange warranty extension screen keyboard layout language manual
software licence office antivirus setup data transfer recycling trade loyalty points newsletter
birthday coupon black friday sale outlet clearance preorder waitlist notification tracking
courier signature neighbour address change cancel split""".split()  # noqa: SIM905


def generated_catalogue(size: int) -> dict[str, Any]:
    """The demo catalogue plus generated laptops and accessories, ``size`` products in all."""
    data: dict[str, Any] = yaml.safe_load((DEMO / "catalogue.yml").read_text(encoding="utf-8"))
    rng = random.Random(7)
    products = list(data["products"])
    templates = [p for p in products if p["category"] == "laptops"]
    number = 0
    while len(products) < size:
        number += 1
        base = rng.choice(templates)
        brand, series = rng.choice(_BRANDS), rng.choice(_SERIES)
        name = f"{brand} {series} {number}"
        product = {
            **base,
            "id": f"{brand.lower()}-{series.lower()}-{number}",
            "name": name,
            "aliases": [f"{brand}{series} {number}"],
            "price": round(rng.uniform(299, 2999), 2),
            "stock": rng.randint(0, 30),
            "url": f"https://shop.example.com/products/{brand.lower()}-{number}",
        }
        product.pop("policies", None)
        products.append(product)
    data["products"] = products
    return data


def generated_faq(size: int) -> dict[str, Any]:
    """The demo FAQ plus generated entries, ``size`` entries in all."""
    data: dict[str, Any] = yaml.safe_load((DEMO / "faq.yml").read_text(encoding="utf-8"))
    rng = random.Random(11)
    entries = list(data["entries"])
    number = 0
    while len(entries) < size:
        number += 1
        topic = rng.sample(_WORDS, 3)
        questions = {
            lang: [f"{w} {' '.join(rng.sample(_WORDS, 4))} {' '.join(topic)}" for w in opener]
            for lang, opener in {
                "en": ("can I", "do you offer", "how does"),
                "es": ("puedo", "ofrecéis", "cómo funciona"),
                "it": ("posso", "offrite", "come funziona"),
            }.items()
        }
        answer = f"Entry {number}: about {' '.join(topic)}."
        entries.append(
            {
                "id": f"generated-{number}",
                "category": rng.choice(["shipping", "returns", "payment", "shop"]),
                "questions": questions,
                "answer": {"en": answer, "es": answer, "it": answer},
            }
        )
    data["entries"] = entries
    return data


def shop_files(products: int, faq: int) -> dict[str, Any]:
    """The shop folder's files as mappings: the demo ones, catalogue and FAQ generated."""

    def load(name: str) -> Any:
        return yaml.safe_load((DEMO / f"{name}.yml").read_text(encoding="utf-8"))

    return {
        "journey_map": load("journey_map"),
        "replies": load("replies"),
        "catalogue": generated_catalogue(products),
        "faq": generated_faq(faq),
        "facts": load("facts"),
    }


def build_shop(files: dict[str, Any]) -> Shop:
    """The shop of ``shop_files``."""
    return Shop.from_mappings(
        files["journey_map"], files["replies"], files["catalogue"], files["faq"], files["facts"]
    )


def write_shop(files: dict[str, Any], folder: Path) -> None:
    """``shop_files`` as a shop folder ``journeybot serve`` reads (``JOURNEYBOT_SHOP_DIR``)."""
    for name, data in files.items():
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--faq", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per server")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    started = time.perf_counter()
    files = shop_files(args.products, args.faq)
    shop = build_shop(files)
    print(
        f"shop: {len(shop.catalogue)} products, {len(shop.faq.entries)} FAQ entries, "
        f"built in {time.perf_counter() - started:.2f} s"
    )
    with tempfile.TemporaryDirectory() as cache:
        lookup = EntityLookup("product", shop.catalogue.names_and_aliases())
        started = time.perf_counter()
        nlu = EmbeddedBackend.train_or_load([ROOT / "nlu" / "data"], cache, lookups=(lookup,))
        print(
            f"NLU trained with {len(lookup.synonyms)} product names in "
            f"{time.perf_counter() - started:.2f} s"
        )
    cases = [
        (kind, nlu.parse_sync(text, language), CustomerState(f"c{i}", language=language,
                                                            last_products=last))
        for i, (kind, language, text, last) in enumerate(QUESTIONS)
    ]  # fmt: skip
    floor = [(nlu.parse_sync(t), CustomerState(f"f{i}")) for i, t in enumerate(FLOOR_TEXTS)]
    for _, interpretation, state in cases:  # warm up caches (Babel locale data, n-gram index)
        decide(state, interpretation, NOW, shop)
    print_latency(cases, shop, args.rounds)
    print_throughput(cases, floor, shop, nlu, args.rounds)
    print_http_throughput(files, args.requests, args.concurrency)


def print_http_throughput(files: dict[str, Any], requests: int, concurrency: int) -> None:
    """The consideration questions through ``journeybot serve`` beside the core loop's floor."""
    texts = [text for _, _, text, _ in QUESTIONS]
    with tempfile.TemporaryDirectory(prefix="journeybot-bench-") as tmp:
        folder = Path(tmp) / "shop"
        folder.mkdir()
        write_shop(files, folder)
        workdir = Path(tmp) / "run"
        workdir.mkdir()
        env = {"JOURNEYBOT_SHOP_DIR": str(folder)}
        result = asyncio.run(measure("sqlite", requests, concurrency, 4, workdir, texts, env))
    ratio = statistics.median(result.ratios)
    print(f"\nmessages per second through HTTP (SQLite, concurrency {concurrency}):")
    for label, r in (("journeybot, consideration", result.bot), ("floor", result.floor)):
        print(
            f"  {label:27} {r.rate:7.0f} msg/s   p50 {r.pct(0.5):6.2f} ms   "
            f"p99 {r.pct(0.99):6.2f} ms   errors {r.errors}"
        )
    print(
        f"  ratio journeybot / floor: {ratio:.0%} (rounds: "
        + " ".join(f"{x:.0%}" for x in result.ratios)
        + ")"
    )


def print_latency(
    cases: list[tuple[str, Interpretation, CustomerState]], shop: Shop, rounds: int
) -> None:
    by_kind: dict[str, list[float]] = {}
    for _ in range(rounds):
        for kind, interpretation, state in cases:
            started = time.perf_counter()
            decide(state, interpretation, NOW, shop)
            by_kind.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    every = [v for values in by_kind.values() for v in values]
    print(f"\nanswer latency, decide() in-process ({len(every)} answers):")
    for kind, values in by_kind.items():
        print(
            f"  {kind:10} p50 {statistics.median(values):6.2f} ms   p99 "
            f"{percentile(values, 0.99):6.2f} ms"
        )
    p99 = percentile(every, 0.99)
    print(
        f"  {'all':10} p50 {statistics.median(every):6.2f} ms   p99 {p99:6.2f} ms   "
        f"(goal p99 < 20 ms: {'met' if p99 < 20 else 'NOT met'})"
    )


def print_throughput(
    cases: list[tuple[str, Interpretation, CustomerState]],
    floor: list[tuple[Interpretation, CustomerState]],
    shop: Shop,
    nlu: EmbeddedBackend,
    rounds: int,
) -> None:
    n = rounds * len(cases)
    consider = timed(lambda: [decide(s, i, NOW, shop) for _ in range(rounds)
                              for _, i, s in cases])  # fmt: skip
    trivial = timed(lambda: [decide(s, i, NOW, shop) for _ in range(n // len(floor) + 1)
                             for i, s in floor])  # fmt: skip
    floor_n = (n // len(floor) + 1) * len(floor)
    rate, floor_rate = n / consider, floor_n / trivial
    print("\nmessages per second, in-process:")
    print(f"  decide(), consideration questions: {rate:9.0f} msg/s")
    print(f"  decide(), floor (a greeting):       {floor_rate:9.0f} msg/s")
    print(f"  ratio consideration / floor: {rate / floor_rate:.2f}")
    texts = [(i.text, s) for _, i, s in cases]
    with_nlu = timed(lambda: [decide(s, nlu.parse_sync(t, s.language), NOW, shop)
                              for _ in range(rounds) for t, s in texts])  # fmt: skip
    floor_nlu = timed(lambda: [decide(s, nlu.parse_sync(i.text), NOW, shop)
                               for _ in range(n // len(floor) + 1) for i, s in floor])  # fmt: skip
    rate, floor_rate = n / with_nlu, floor_n / floor_nlu
    print(f"  NLU + decide(), consideration:      {rate:9.0f} msg/s")
    print(f"  NLU + decide(), floor (a greeting): {floor_rate:9.0f} msg/s")
    print(f"  ratio consideration / floor: {rate / floor_rate:.2f}")


if __name__ == "__main__":
    main()
