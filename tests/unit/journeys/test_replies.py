"""Reply templates: rendering, language fallback, variants, and refusing bad files."""

from __future__ import annotations

from typing import Any

import pytest

from journeys.errors import ReplyTemplatesError, TemplateRenderError
from journeys.model import Button
from journeys.replies import ReplyTemplates
from tests.unit.journeys.content import replies_data


def test_a_template_is_rendered_in_the_language_asked() -> None:
    templates = ReplyTemplates.from_mapping(replies_data())

    reply = templates.render("answer_price", "es", "seed", {"product": "XPS", "price": "5 €"})

    assert reply.text == "XPS cuesta 5 €."
    assert reply.template == "answer_price"
    assert reply.buttons == (Button(title="Availability", payload="/ask_stock"),)


def test_a_template_missing_in_a_language_falls_back_to_english() -> None:
    templates = ReplyTemplates.from_mapping(replies_data())

    reply = templates.render("csat_sorry", "es", "seed")

    assert reply.text == "Sorry. What went wrong?"
    assert reply.buttons == (Button(title="Hablar con una persona", payload="/ask_human"),)
    assert not templates.has("csat_sorry", "es")
    assert templates.has("greet", "es")


def test_the_variant_depends_only_on_the_seed() -> None:
    data = replies_data()
    data["templates"]["greet"]["en"] = ["Hi!", "Hello!", "Hey there!"]
    templates = ReplyTemplates.from_mapping(data)

    seen = {templates.render("greet", "en", f"customer-{i}").text for i in range(30)}
    again = [templates.render("greet", "en", "customer-7").text for _ in range(3)]

    assert seen == {"Hi!", "Hello!", "Hey there!"}
    assert len(set(again)) == 1


def test_rendering_without_a_needed_value_says_which() -> None:
    templates = ReplyTemplates.from_mapping(replies_data())

    with pytest.raises(TemplateRenderError, match="'answer_price' needs a value for 'price'"):
        templates.render("answer_price", "en", "seed", {"product": "XPS"})


def test_literal_braces_are_allowed() -> None:
    data = replies_data()
    data["templates"]["greet"]["en"] = ["Hi {{friend}}!"]

    assert ReplyTemplates.from_mapping(data).render("greet", "en", "s").text == "Hi {friend}!"


def test_spec_labels_fall_back_to_english_then_to_the_key() -> None:
    templates = ReplyTemplates.from_mapping(replies_data())

    assert templates.spec_label("weight", "es") == "Peso"
    assert templates.spec_label("ram", "it") == "RAM"
    assert templates.spec_label("screen_size", "en") == "screen size"


def _template(name: str, value: Any) -> dict[str, Any]:
    data = replies_data()
    data["templates"][name] = value
    return data


def _without(name: str) -> dict[str, Any]:
    data = replies_data()
    del data["templates"][name]
    return data


BAD_REPLIES = [
    (
        "placeholder in a template that gets no values",
        _template("greet", {"en": ["Hi {product}!"]}),
        "templates.greet.en[0]",
        "Hi {product}!",
    ),
    (
        "placeholder the core does not provide",
        _template("answer_price", {"en": ["{product}: {discount}"]}),
        "templates.answer_price.en[0]",
        "{product}: {discount}",
    ),
    (
        "attribute access in a placeholder",
        _template("answer_price", {"en": ["{product.name}"]}),
        "templates.answer_price.en[0]",
        "{product.name}",
    ),
    (
        "unbalanced brace",
        _template("greet", {"en": ["Hi {there"]}),
        "templates.greet.en[0]",
        "Hi {there",
    ),
    ("no English", _template("greet", {"es": ["¡Hola!"]}), "templates.greet", {"es": ["¡Hola!"]}),
    ("empty variant", _template("greet", {"en": ["Hi", "  "]}), "templates.greet.en[1]", "  "),
    ("no variants", _template("greet", {"en": []}), "templates.greet.en", []),
    (
        "bad language code",
        _template("greet", {"en": ["Hi"], "eng": ["Hi"]}),
        "templates.greet.eng",
        "eng",
    ),
    (
        "button without a title",
        _template("greet", {"en": ["Hi"], "buttons": ["compare_products"]}),
        "templates.greet.buttons[0]",
        "compare_products",
    ),
    ("required template missing", _without("handoff"), "templates.handoff", None),
]


@pytest.mark.parametrize(
    ("data", "key", "value"), [c[1:] for c in BAD_REPLIES], ids=[c[0] for c in BAD_REPLIES]
)
def test_bad_templates_are_refused_naming_file_key_and_value(
    data: dict[str, Any], key: str, value: Any
) -> None:
    with pytest.raises(ReplyTemplatesError) as caught:
        ReplyTemplates.from_mapping(data)

    assert (caught.value.source, caught.value.key, caught.value.value) == (
        "replies.yml",
        key,
        value,
    )
    assert str(caught.value).startswith(f"replies.yml: {key}: ")


def test_the_refusal_lists_the_placeholders_that_are_available() -> None:
    with pytest.raises(
        ReplyTemplatesError,
        match=r"\{discount\} is not available \(available: price, product, stock, url\)",
    ):
        ReplyTemplates.from_mapping(_template("answer_price", {"en": ["{discount}"]}))
