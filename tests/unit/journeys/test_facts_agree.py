"""The demo shop never contradicts itself: every reply and FAQ answer, in every language,
states the amounts, days, years and hours its facts say, and no content file repeats a fact
that facts.yml holds (a shop that edits one number cannot leave a copy of it behind)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from journeys.facts import ShopFacts
from tests.builders import demo_shop, load_demo_content
from tests.fact_statements import disagreements, literal_copies, statements

Check = Callable[[str, str, ShopFacts], list[str]]


def rendered_texts() -> Iterator[tuple[str, str, str]]:
    """(where, language, text) of every reply variant and FAQ answer, facts filled in.

    A product's own policy is left out: it may state its own terms (a monitor's courier,
    Apple's own year of warranty); ``written_texts`` still keeps it from copying a fact."""
    shop = demo_shop()
    for name, template in shop.replies.templates.items():
        for language, variants in template.variants:
            for i, text in enumerate(variants):
                yield f"replies.yml templates.{name}.{language}[{i}]", language, text
    for entry in shop.faq.entries:
        for language, answer in entry.answers:
            yield f"faq.yml {entry.id}.{language}", language, answer


def written_texts() -> Iterator[tuple[str, str, str]]:
    """(where, language, text) of every reply, FAQ answer and product policy as written."""
    for name, template in load_demo_content("replies")["templates"].items():
        for language, variants in template.items():
            if language != "buttons":
                for i, text in enumerate([variants] if isinstance(variants, str) else variants):
                    yield f"replies.yml templates.{name}.{language}[{i}]", language, text
    for entry in load_demo_content("faq")["entries"]:
        for language, answer in entry["answer"].items():
            yield f"faq.yml {entry['id']}.{language}", language, answer
    for product in load_demo_content("catalogue")["products"]:
        for category, texts in (product.get("policies") or {}).items():
            for language, text in texts.items():
                yield f"catalogue.yml {product['id']}.{category}.{language}", language, text


def problems(texts: Iterator[tuple[str, str, str]], check: Check) -> dict[str, list[str]]:
    """Where → what ``check`` finds there against the demo shop's facts (nothing: left out)."""
    facts = demo_shop().facts
    return {where: found for where, lang, text in texts if (found := check(text, lang, facts))}


def test_every_reply_and_answer_states_the_facts_in_every_language() -> None:
    assert problems(rendered_texts(), disagreements) == {}


def test_the_texts_do_state_the_facts_so_the_check_above_is_not_empty() -> None:
    kinds = {
        (said.kind, language)
        for _, language, text in rendered_texts()
        for said in statements(text, language)
    }

    for language in ("en", "es", "it"):
        for kind in ("amount", "days", "years", "instalments", "time"):
            assert (kind, language) in kinds


def test_no_content_file_repeats_a_fact_of_facts_yml() -> None:
    assert problems(written_texts(), literal_copies) == {}


CONTRADICTIONS = [
    ("en", "Ultrabooks with free shipping over €50 and 30-day returns."),
    ("es", "Si no te convence, tienes 30 días para devolverlo gratis, y tiene 2 años de garantía."),
    ("en", "You can return it within 14 days of delivery."),
    ("it", "La spedizione costa 5,90 € ed è gratuita sopra i 99 €."),
    ("en", "You can pay in 4 interest-free instalments."),
    ("es", "Los pedidos hechos antes de las 15:00 salen el mismo día."),
    ("en", "Orders arrive in 2–4 working days in Italy and Spain."),
]


@pytest.mark.parametrize(("language", "text"), CONTRADICTIONS)
def test_a_text_that_contradicts_the_facts_is_caught(language: str, text: str) -> None:
    assert disagreements(text, language, demo_shop().facts) != []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Shipping is free on orders over €99; otherwise it's €4.90."),
        ("it", "Hai 30 giorni per il reso."),
        ("en", "Every product has a 2-year warranty."),
    ],
)
def test_a_fact_written_out_instead_of_its_placeholder_is_caught(language: str, text: str) -> None:
    assert literal_copies(text, language, demo_shop().facts) != []


def test_returns_said_to_be_free_disagree_with_returns_that_are_not() -> None:
    facts = demo_shop().facts
    flags = {**facts.parts.flags, "returns.free": False}
    paid = replace(facts, parts=replace(facts.parts, flags=flags))
    said = [text for _, language, text in rendered_texts() if disagreements(text, language, paid)]

    assert any("returns are free" in text for text in said)
