"""The shop's facts: refusing a bad facts file, filling placeholders once when the content
loads, in each language's way, and refusing a text that needs a fact the shop lacks."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from journeys.errors import FactsError, FaqError, ReplyTemplatesError
from journeys.facts import PLACEHOLDERS, ShopFacts
from journeys.faq import Faq
from journeys.handoff_settings import OfficeHours
from journeys.replies import ReplyTemplates
from tests.builders import demo_shop
from tests.unit.journeys.content import replies_data

OFFICE = OfficeHours(first_day=0, last_day=4, opens=time(9), closes=time(18))


def facts_data() -> dict[str, Any]:
    return {
        "shipping": {"free_over": 99, "fee": 4.9, "order_by": "14:00", "delivery_days": "1-3"},
        "returns": {"days": 30, "free": True},
        "payment": {"instalment_provider": "Klarna", "instalments": 3},
        "warranty": {
            "years": 2,
            "countries": {"ES": 3},
            "country_wording": {
                "en": "{years} years in {country}",
                "es": "{years} años en {country}",
            },
            "extended": [{"years": 1, "price": 79}, {"years": 2, "price": 129}],
        },
        "support": {"hours": {"en": "{first_day}–{last_day}, {opens}–{closes}"}},
    }


def facts(data: Any = None, office: OfficeHours | None = OFFICE) -> ShopFacts:
    return ShopFacts.from_mapping(
        facts_data() if data is None else data, currency="EUR", office_hours=office
    )


def with_template(text: str, name: str = "greet") -> dict[str, Any]:
    data = replies_data()
    data["templates"][name] = {"en": [text]}
    return data


@pytest.mark.parametrize(
    ("language", "name", "text"),
    [
        ("en", "free_shipping_over", "€99"),
        ("es", "free_shipping_over", "99 €"),
        ("en", "shipping_fee", "€4.90"),
        ("it", "shipping_fee", "4,90 €"),
        ("en", "delivery_days", "1–3"),
        ("en", "warranty_countries", "3 years in Spain"),
        ("es", "warranty_countries", "3 años en España"),
        ("en", "extended_warranty_years", "1 or 2"),
        ("es", "extended_warranty_prices", "79 € o 129 €"),
        ("en", "support_hours", "Monday–Friday, 9:00–18:00"),
        ("it", "support_hours", "lunedì–venerdì, 9:00–18:00"),  # English wording, Italian days
    ],
)
def test_each_fact_is_written_the_way_of_the_language(language: str, name: str, text: str) -> None:
    assert facts().values(language)[name] == text


def test_templates_are_filled_when_they_load_keeping_their_own_placeholders() -> None:
    text = "Free over {free_shipping_over}, {return_days} days; {{literal}}"
    templates = ReplyTemplates.from_mapping(
        with_template(text.replace("days;", "days for {product};"), "answer_price"),
        facts=facts(),
    )

    written = templates.templates["answer_price"].texts("en")[0]
    rendered = templates.render("answer_price", "en", "s", {"product": "XPS"}).text

    assert written == "Free over €99, 30 days for {product}; {{literal}}"
    assert rendered == "Free over €99, 30 days for XPS; {literal}"


def test_faq_answers_are_final_texts_once_filled() -> None:
    data = {
        "entries": [
            {
                "id": "returns",
                "questions": {"en": ["can I return it"]},
                "answer": {"en": "{return_days} days {{sic}}", "es": "{return_days} días"},
            }
        ]
    }

    entry = Faq.from_mapping(data, facts=facts()).entries[0]

    assert (entry.answer("en"), entry.answer("es")) == ("30 days {sic}", "30 días")


@pytest.mark.parametrize(
    ("shop_facts", "problem"),
    [
        (None, "{refund_days} needs returns.refund_days of facts.yml, and the shop has none"),
        ("given", "{refund_days} needs returns.refund_days in facts.yml, which does not give it"),
    ],
)
def test_a_template_needing_a_missing_fact_names_the_template_and_the_fact(
    shop_facts: str | None, problem: str
) -> None:
    text = "Refunds in {refund_days} days."

    with pytest.raises(ReplyTemplatesError) as caught:
        ReplyTemplates.from_mapping(with_template(text), facts=facts() if shop_facts else None)

    assert (caught.value.source, caught.value.key, caught.value.value) == (
        "replies.yml",
        "templates.greet.en[0]",
        text,
    )
    assert problem in str(caught.value)


def test_support_hours_without_office_hours_in_the_journey_map_are_refused() -> None:
    with pytest.raises(ReplyTemplatesError, match=r"handoff.office_hours in journey_map.yml"):
        ReplyTemplates.from_mapping(
            with_template("Open {support_hours}."), facts=facts(office=None)
        )


def test_an_faq_answer_may_hold_no_placeholder_but_facts() -> None:
    data = {"entries": [{"id": "x", "questions": {"en": ["q"]}, "answer": {"en": "{product}"}}]}

    with pytest.raises(FaqError, match=r"faq.yml: entries.x.answer.en: \{product\} is not a fact"):
        Faq.from_mapping(data, facts=facts())


def test_a_fact_takes_no_format() -> None:
    with pytest.raises(ReplyTemplatesError, match=r"\{return_days\} takes no format"):
        ReplyTemplates.from_mapping(with_template("{return_days:>4}"), facts=facts())


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value

    return change


BAD_FACTS = [
    ("amount with a comma", _set("shipping.fee", "4,90"), "shipping.fee", "4,90"),
    ("negative amount", _set("shipping.free_over", -1), "shipping.free_over", -1),
    ("unquoted time", _set("shipping.order_by", 840), "shipping.order_by", 840),
    ("backwards range", _set("shipping.delivery_days", "3-1"), "shipping.delivery_days", "3-1"),
    ("zero days", _set("returns.days", 0), "returns.days", 0),
    ("free not a boolean", _set("returns.free", "yes"), "returns.free", "yes"),
    ("unknown fact", _set("shipping.fre_over", 99), "shipping.fre_over", "fre_over"),
    ("unknown section", _set("gifts.wrap", 2), "gifts", "gifts"),
    ("unknown country", _set("warranty.countries", {"XX": 3}), "warranty.countries.XX", "XX"),
    (
        "country warranty shorter than the least",
        _set("warranty.countries", {"ES": 1}),
        "warranty.countries.ES",
        1,
    ),
    (
        "wording with an unknown placeholder",
        _set("warranty.country_wording", {"en": "{yrs} in {country}"}),
        "warranty.country_wording.en",
        "{yrs} in {country}",
    ),
    (
        "extended option without a price",
        _set("warranty.extended", [{"years": 1}]),
        "warranty.extended[0].price",
        None,
    ),
    (
        "financing months backwards",
        _set("payment", {"financing_min_months": 24, "financing_max_months": 6}),
        "payment.financing_max_months",
        6,
    ),
]


@pytest.mark.parametrize(
    ("change", "key", "value"), [b[1:] for b in BAD_FACTS], ids=[b[0] for b in BAD_FACTS]
)
def test_a_bad_fact_is_refused_naming_file_key_and_value(change: Any, key: str, value: Any) -> None:
    data = facts_data()
    change(data)

    with pytest.raises(FactsError) as caught:
        facts(data)

    assert (caught.value.source, caught.value.key, caught.value.value) == ("facts.yml", key, value)
    assert str(caught.value).startswith(f"facts.yml: {key}: ")


def test_every_placeholder_of_the_demo_facts_is_filled_in_every_language() -> None:
    shop = demo_shop()

    for language in shop.journey_map.languages:
        assert set(shop.facts.values(language)) == set(PLACEHOLDERS), language


def test_the_demo_texts_hold_no_placeholder_once_loaded() -> None:
    shop = demo_shop()
    written = [
        text
        for template in shop.replies.templates.values()
        for _, variants in template.variants
        for text in variants
    ]
    written += [answer for entry in shop.faq.entries for _, answer in entry.answers]

    assert [t for t in written if any(f"{{{name}}}" in t for name in PLACEHOLDERS)] == []
