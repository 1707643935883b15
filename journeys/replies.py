"""Reply templates per intent and language, validated from an already-parsed ``replies.yml``.

Each template has, per language, a list of variants (one is picked deterministically from a
seed, so the same input always gives the same reply) and optional quick-reply buttons
named by intent (payload ``/intent``, title from ``button_titles``). A template missing in
a language falls back to English, which every template must have.

Placeholders such as ``{product}`` are checked when the file loads: the templates the core
fills with values (``SYSTEM_TEMPLATES``) may use the placeholders listed there, every other
template none. Any template may state a shop fact (``{free_shipping_over}``,
``{return_days}``: ``journeys.facts.PLACEHOLDERS``), filled in from the facts once, when the
file loads. A literal brace is written twice (``{{``).
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeys.checks import Checker
from journeys.errors import ReplyTemplatesError, TemplateRenderError
from journeys.facts import PLACEHOLDERS, ShopFacts
from journeys.model import Button, Reply
from journeys.picks import SpecPicks
from journeys.specs import SpecVocabulary
from journeys.text import Words

FALLBACK_LANGUAGE = "en"

_PRODUCT = frozenset({"product", "price", "stock", "url"})
_COLOUR = _PRODUCT | {"colour", "colours"}
_CART = frozenset({"items", "total", "cart_url"})
SYSTEM_TEMPLATES: Mapping[str, frozenset[str]] = {
    "welcome": frozenset(),
    "help": frozenset(),
    "nlu_fallback": frozenset(),
    "nlu_unavailable": frozenset(),
    "unsupported_content": frozenset(),
    "opted_out": frozenset(),
    "handoff": frozenset({"wait"}),
    "answer_price": _PRODUCT,
    "answer_stock_available": _PRODUCT,
    "answer_stock_low": _PRODUCT,
    "answer_stock_out": _PRODUCT,
    "answer_specs": _PRODUCT | {"specs", "description"},
    "unknown_product": frozenset({"product", "suggestions"}),
    "unknown_product_nothing_near": frozenset({"product"}),
    "ambiguous_product": frozenset({"options"}),
    "answer_spec": _PRODUCT | {"specs"},
    "answer_spec_missing": _PRODUCT | {"spec"},
    "answer_product": _PRODUCT | {"availability", "specs"},
    "availability_in_stock": frozenset({"stock"}),
    "availability_low": frozenset({"stock"}),
    "availability_out": frozenset({"stock"}),
    "answer_colour_yes": _COLOUR,
    "answer_colour_no": _COLOUR,
    "answer_colour_unknown": _COLOUR,
    "answer_compare": frozenset({"table", "difference"}),
    "compare_difference": frozenset({"verdict", "values"}),
    "compare_tie": frozenset({"spec", "value"}),
    "answer_recommendation": frozenset({"criteria", "picks"}),
    "recommendation_none": frozenset({"criteria", "picks"}),
    "recommendation_nothing": frozenset({"criteria"}),
    "budget_under": frozenset({"amount"}),
    "budget_over": frozenset({"amount"}),
    "budget_between": frozenset({"low", "high"}),
    "faq_not_sure": frozenset(),
    "category_overview": frozenset({"count", "category", "brands", "low", "high", "names"}),
    "catalogue_overview": frozenset({"categories"}),
    "browse_category": frozenset(),
    "select_nothing_in_focus": frozenset(),
    "product_policy": frozenset({"product", "text"}),
    "cart_recovery_1": _CART,
    "cart_recovery_2": _CART,
    "cart_recovery_3": _CART,
    "review_request_1": _CART,
    "support_csat_1": frozenset(),
    "csat_praise": frozenset(),
    "csat_thanks": frozenset(),
    "csat_sorry": frozenset(),
    "csat_sorry_noted": frozenset(),
    "csat_already": frozenset(),
    "csat_comment_thanks": frozenset(),
    "csat_comment_sorry": frozenset(),
    "csat_comment_noted": frozenset(),
    "handoff_after_hours": frozenset(),
    "handoff_waiting_1": frozenset({"wait"}),
    "handoff_cancelled": frozenset(),
    "handoff_released": frozenset(),
    "handoff_joined": frozenset({"agent"}),
    "review_invite": frozenset({"link"}),
    "review_thanks": frozenset(),
    "referral_1": frozenset({"referral_link"}),
    "coupon_line": frozenset({"code"}),
}
"""Templates the core renders by name (every one required in English) → their placeholders."""

_TOP_KEYS = (
    "button_titles",
    "spec_labels",
    "spec_words",
    "spec_comparatives",
    "spec_picks",
    "word_lists",
    "templates",
)


@dataclass(frozen=True, slots=True)
class Template:
    """One template: variants per language and the intents of its buttons."""

    name: str
    variants: tuple[tuple[str, tuple[str, ...]], ...]
    buttons: tuple[str, ...] = ()

    @property
    def languages(self) -> frozenset[str]:
        """The languages this template is written in."""
        return frozenset(lang for lang, _ in self.variants)

    def texts(self, language: str) -> tuple[str, ...]:
        """The variants in ``language``, else in English."""
        table = dict(self.variants)
        return table.get(language) or table[FALLBACK_LANGUAGE]


@dataclass(frozen=True, slots=True)
class ReplyTemplates:
    """Every reply template of a shop. Build it with ``from_mapping``."""

    templates: Mapping[str, Template]
    button_titles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    spec_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    specs: SpecVocabulary = field(default_factory=SpecVocabulary)
    picks: SpecPicks = field(default_factory=SpecPicks)
    word_lists: Mapping[str, Words] = field(default_factory=dict)
    """Named lists of words the core reads (``objection_price``, ``other_than``...)."""

    @classmethod
    def from_mapping(
        cls, data: Any, source: str = "replies.yml", facts: ShopFacts | None = None
    ) -> ReplyTemplates:
        """Validate already-parsed templates; raise ReplyTemplatesError when they are wrong.

        Fact placeholders are filled from ``facts`` (None: the shop has no facts file)."""
        check = Checker(ReplyTemplatesError, source)
        facts = ShopFacts() if facts is None else facts
        top = check.check_mapping(data, "(top level)")
        check.check_keys(top, _TOP_KEYS, "")
        titles = _read_localized_table(check, top.get("button_titles"), "button_titles")
        labels = _read_localized_table(check, top.get("spec_labels"), "spec_labels")
        raw = check.check_mapping(top.get("templates"), "templates")
        templates = {
            name: _read_template(check, name, value, titles, facts) for name, value in raw.items()
        }
        for name in SYSTEM_TEMPLATES:
            if name not in templates:
                check.fail(f"templates.{name}", None, "this template is required")
        specs = SpecVocabulary.from_mapping(
            check, top.get("spec_words"), top.get("spec_comparatives")
        )
        picks = SpecPicks.from_mapping(check, top.get("spec_picks"))
        lists = {
            check.check_name(name, f"word_lists.{name}"): Words.from_texts(
                check.check_words(value, f"word_lists.{name}")
            )
            for name, value in check.check_mapping(
                top.get("word_lists") or {}, "word_lists"
            ).items()
        }
        return cls(templates, titles, labels, specs, picks, lists)

    @property
    def names(self) -> frozenset[str]:
        """The names of every template."""
        return frozenset(self.templates)

    def has(self, name: str, language: str = FALLBACK_LANGUAGE) -> bool:
        """True when ``name`` is written in ``language`` (no fallback)."""
        template = self.templates.get(name)
        return template is not None and language in template.languages

    def render(
        self, name: str, language: str, seed: str, values: Mapping[str, str] | None = None
    ) -> Reply:
        """The reply ``name`` in ``language`` (else English), variant chosen by ``seed``."""
        template = self.templates[name]
        texts = template.texts(language)
        text = texts[zlib.crc32(f"{seed}|{name}".encode()) % len(texts)]
        try:
            rendered = text.format_map(values or {})
        except KeyError as missing:
            raise TemplateRenderError(f"template {name!r} needs a value for {missing}") from None
        buttons = tuple(self.button(intent, language) for intent in template.buttons)
        return Reply(text=rendered, buttons=buttons, template=name)

    def link_button(self, name: str, url: str, language: str) -> Button | None:
        """A link button titled by ``button_titles[name]`` (None when the shop has no title)."""
        titles = self.button_titles.get(name)
        if titles is None:
            return None
        return Button(title=titles.get(language) or titles[FALLBACK_LANGUAGE], payload=url)

    def button(self, intent: str, language: str) -> Button:
        """The quick reply that sends ``/intent``, titled in ``language`` (else English)."""
        titles = self.button_titles[intent]
        return Button(title=titles.get(language) or titles[FALLBACK_LANGUAGE], payload=f"/{intent}")

    def spec_label(self, key: str, language: str) -> str:
        """The display name of a spec (``ram`` → ``RAM``) in ``language``."""
        labels = self.spec_labels.get(key, {})
        return labels.get(language) or labels.get(FALLBACK_LANGUAGE) or key.replace("_", " ")


def _read_localized_table(check: Checker, value: Any, key: str) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    return {
        check.check_name(name, f"{key}.{name}"): check.check_localized(texts, f"{key}.{name}")
        for name, texts in check.check_mapping(value, key).items()
    }


def _read_template(
    check: Checker,
    name: str,
    value: Any,
    titles: Mapping[str, Mapping[str, str]],
    facts: ShopFacts,
) -> Template:
    key = f"templates.{name}"
    check.check_name(name, key)
    raw = check.check_mapping(value, key)
    buttons = check.check_names(raw.get("buttons"), f"{key}.buttons")
    for i, intent in enumerate(buttons):
        if intent not in titles:
            check.fail(f"{key}.buttons[{i}]", intent, "no title for it under button_titles")
    allowed = SYSTEM_TEMPLATES.get(name, frozenset())
    variants: list[tuple[str, tuple[str, ...]]] = []
    for lang, texts in raw.items():
        if lang == "buttons":
            continue
        check.check_language(lang, f"{key}.{lang}")
        written = _read_variants(check, texts, f"{key}.{lang}", allowed)
        filled = tuple(
            facts.fill(text, lang, check, f"{key}.{lang}[{i}]", final=False)
            for i, text in enumerate(written)
        )
        variants.append((lang, filled))
    if FALLBACK_LANGUAGE not in {lang for lang, _ in variants}:
        check.fail(key, value, "an English ('en') version is required")
    return Template(name=name, variants=tuple(variants), buttons=buttons)


def _read_variants(
    check: Checker, value: Any, key: str, allowed: frozenset[str]
) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else check.check_list(value, key)
    if not items:
        check.fail(key, value, "at least one variant is required")
    texts = tuple(check.check_text(item, f"{key}[{i}]") for i, item in enumerate(items))
    for i, text in enumerate(texts):
        _check_placeholders(check, text, f"{key}[{i}]", allowed)
    return texts


def _check_placeholders(check: Checker, text: str, key: str, allowed: frozenset[str]) -> None:
    """Refuse placeholders the core cannot fill and malformed braces."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as error:
        check.fail(key, text, f"malformed braces ({error}); write a literal brace as {{{{")
    available = ", ".join(sorted(allowed)) or "none"
    for name in fields:
        if name not in allowed and name not in PLACEHOLDERS:
            check.fail(
                key,
                text,
                f"placeholder {{{name}}} is not available (available: {available}), nor is it"
                f" a shop fact ({', '.join(sorted(PLACEHOLDERS))})",
            )


@dataclass(frozen=True, slots=True)
class Speaker:
    """Renders templates for one turn of one customer: one language, one seed."""

    templates: ReplyTemplates
    language: str
    seed: str

    def say(self, name: str, **values: str) -> Reply:
        """The reply ``name`` with its placeholders filled from ``values``."""
        return self.templates.render(name, self.language, self.seed, values)

    def says(self, word_list: str, text_words: tuple[str, ...]) -> bool:
        """True when the message has a phrase of the shop's ``word_lists`` entry."""
        found = self.templates.word_lists.get(word_list)
        return found is not None and found.position(text_words, self.language) is not None

    def has(self, name: str) -> bool:
        """True when a template ``name`` exists (in any language)."""
        return name in self.templates.templates

    def text(self, name: str, **values: str) -> str:
        """Only the text of the reply ``name`` (to put inside another reply)."""
        return self.say(name, **values).text

    def label(self, spec: str) -> str:
        """The display name of a spec (or ``price``) in this language."""
        return self.templates.spec_label(spec, self.language)
