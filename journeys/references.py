"""Which products a message is about: named ones, references back, unknown and ambiguous names.

In order:

1. Products the NLU found by name (``product`` entities). A name followed by a model
   number the product does not have ("XPS **15**", "MacBook Air **M2**") is a product the
   shop does not sell, not the one it resembles.
2. A word that starts the names of several products ("MacBook", "Lenovo") is ambiguous,
   unless the products discussed last settle it; a word that starts one name finds it.
3. A capitalised or model-like name the shop does not know ("Galaxy Book 3") is unknown,
   so the answer is "we don't sell that", never the price of the last product discussed.
4. References back to the products discussed last: "the second one", "the other one",
   "both", a pick by a spec ("the cheaper one", "el más ligero": ``journeys.picks``), or
   nothing at all ("how much is it?"): the product selected last when there is one (a
   product named or picked alone), else the products in focus.

``context`` is what later messages may refer back to: the products in focus first, then
the others still in the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeys.catalogue import Catalogue, Product
from journeys.picks import SpecPicks
from journeys.specs import quantity
from journeys.text import fold, words
from journeys.vocabulary import ordinal, says_all, says_other
from nlu.types import Interpretation

PRODUCT_ENTITY = "product"
MAX_IN_PLAY = 3
_MODEL_TOKEN = re.compile(r"^[\s,]*([A-Za-z]{0,3}\d[\w-]*)")
_TOKEN = re.compile(r"\w[\w-]*")
_DETERMINERS = frozenset(
    """the a an this that of
    el la los las un una este esta ese esa del al de
    il lo l i gli le uno dello della dell dei degli delle di""".split()  # noqa: SIM905
)
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class InPlay:
    """The products a message is about, and what went wrong finding them."""

    products: tuple[Product, ...] = ()
    context: tuple[str, ...] = ()
    unknown: str | None = None
    ambiguous: tuple[Product, ...] = ()
    named: bool = False
    """True when the message itself named the products (not a reference back)."""
    referred: bool = False
    """True when the message pointed back at them ("the other one", "the second one")."""
    picked: bool = False
    """True when the message chose one of them by position or by a spec ("the cheaper one")."""


@dataclass(frozen=True, slots=True)
class Focus:
    """What the conversation is about: the products in focus (most recent first) and the
    one selected last (a product named or picked alone), if any."""

    products: tuple[str, ...] = ()
    selected: str | None = None
    faq_entry: str | None = None
    """The FAQ entry answered last, whose topic "and to Switzerland?" goes on about."""


def resolve(
    interpretation: Interpretation,
    last_products: tuple[str, ...],
    catalogue: Catalogue,
    *,
    guess_names: bool = True,
    known_word: set[str] | frozenset[str] = frozenset(),
    picks: SpecPicks | None = None,
    selected: str | None = None,
) -> InPlay:
    """The products ``interpretation`` is about (see the module docstring).

    ``guess_names`` turns on steps 2 and 3 (for product questions); ``known_word`` holds
    folded words that are not product names (the shop's own texts); ``picks`` the words
    that choose by a spec; ``selected`` the product selected last.
    """
    last = tuple(i for i in last_products if catalogue.get(i) is not None)
    named, unknown = _named(interpretation, catalogue)
    if unknown is not None:
        return InPlay(
            products=named[:MAX_IN_PLAY], context=_ids(named), unknown=unknown, named=True
        )
    text_words = words(interpretation.text)
    if named:
        return _focus(named + _siblings(named, text_words, catalogue), last)
    if guess_names:
        guessed = _guess(interpretation.text, text_words, last, catalogue, known_word)
        if guessed is not None:
            return guessed
    focus = Focus(last, selected if selected in last else None)
    return _refer_back(text_words, interpretation.language, focus, catalogue, picks)


def _named(
    interpretation: Interpretation, catalogue: Catalogue
) -> tuple[tuple[Product, ...], str | None]:
    found: dict[str, Product] = {}
    for entity in interpretation.entities:
        if entity.entity != PRODUCT_ENTITY:
            continue
        product = catalogue.find(entity.value)
        if product is None:
            return tuple(found.values()), entity.text or entity.value
        model = _MODEL_TOKEN.match(interpretation.text[entity.end :])
        if model is not None and _other_model(model.group(1), product):
            return tuple(found.values()), f"{entity.text or entity.value} {model.group(1)}"
        found.setdefault(product.id, product)
    return tuple(found.values()), None


def _other_model(token: str, product: Product) -> bool:
    """True when ``token`` is a model number that is not part of the product's names."""
    folded = fold(token)
    if _YEAR.match(folded) or ((q := quantity(token)) is not None and q.unit):
        return False
    own = {w for text in (product.name, *product.aliases) for w in words(text)}
    return folded not in own


def _focus(named: tuple[Product, ...], last: tuple[str, ...]) -> InPlay:
    ids = _ids(named)
    rest = tuple(i for i in last if i not in ids) if set(ids) <= set(last) else ()
    return InPlay(products=named[:MAX_IN_PLAY], context=ids + rest, named=True)


def _guess(
    text: str,
    text_words: tuple[str, ...],
    last: tuple[str, ...],
    catalogue: Catalogue,
    known_word: set[str] | frozenset[str],
) -> InPlay | None:
    for i, word in enumerate(text_words):
        family = catalogue.family(word)
        unknown = _unknown_model(text_words, i, family, catalogue, known_word) if family else None
        if unknown is not None:
            return InPlay(unknown=unknown, named=True)
        if len(family) == 1:
            return _focus(_products(family, catalogue), last)
        if len(family) > 1:
            settled = tuple(i for i in last if i in family)
            if settled:
                return InPlay(products=_products(settled, catalogue), context=last)
            return InPlay(ambiguous=_products(family, catalogue), context=family)
    unknown = _unknown_name(text, catalogue, known_word)
    return None if unknown is None else InPlay(unknown=unknown, named=True)


def _unknown_model(
    text_words: tuple[str, ...],
    at: int,
    family: tuple[str, ...],
    catalogue: Catalogue,
    known_word: set[str] | frozenset[str],
) -> str | None:
    """A maker's word followed by a model the shop does not have ("lenovo legion 5"),
    as the customer wrote it."""
    after = text_words[at + 1 : at + 2]
    if not after or not after[0].isalpha() or after[0] in _DETERMINERS:
        return None
    word = after[0]
    members = [p for i in family if (p := catalogue.get(i)) is not None]
    if any(word in _name_words(p) for p in members):
        return None
    if word in known_word or catalogue.knows_word(word):
        return None
    tail = text_words[at + 2 : at + 3]
    number = tail if tail and any(c.isdigit() for c in tail[0]) else ()
    return " ".join((text_words[at], word, *number))


def _unknown_name(
    text: str, catalogue: Catalogue, known_word: set[str] | frozenset[str]
) -> str | None:
    """A run of name-like words none of which the shop knows ("Galaxy Book 3"), that reads
    as a product: after an article ("the", "el", "il"...), at the very start, or with a
    model number in it. "Shipping to Portugal" names no product."""
    tokens = _TOKEN.findall(text)
    for start, run in _name_runs(tokens, catalogue, known_word):
        model = any(_model_like(t) or t.isdigit() for t in run)
        after_article = start > 0 and fold(tokens[start - 1]) in _DETERMINERS
        if model or after_article or (start == 0 and len(run) > 1):
            return " ".join(run)
    return _typed_lowercase(tokens, catalogue, known_word)


def _typed_lowercase(
    tokens: list[str], catalogue: Catalogue, known_word: set[str] | frozenset[str]
) -> str | None:
    """A name typed in lower case with its model number ("iphone 15", "galaxy book 4"):
    words none of which the shop knows, right before a bare number."""
    for i, token in enumerate(tokens):
        if not token.isdigit() or i == 0:
            continue
        run: list[str] = []
        for word in reversed(tokens[max(0, i - 2) : i]):
            folded = fold(word)
            if folded in known_word or catalogue.knows_word(folded) or folded in _DETERMINERS:
                break
            if not word.isalpha() or len(word) < 3:
                break
            run.insert(0, word)
        if run:
            return " ".join([*run, token])
    return None


def _name_runs(
    tokens: list[str], catalogue: Catalogue, known_word: set[str] | frozenset[str]
) -> list[tuple[int, list[str]]]:
    """(start, tokens) of each run of unknown name-like words (numbers may follow)."""
    runs: list[tuple[int, list[str]]] = []
    run: list[str] = []
    for i, token in enumerate(tokens):
        folded = fold(token)
        unknown = not (folded in known_word or catalogue.knows_word(folded))
        if (unknown and _looks_like_name(token)) or (run and token.isdigit() and len(run) < 4):
            run.append(token)
        else:
            if run:
                runs.append((i - len(run), run))
            run = []
    if run:
        runs.append((len(tokens) - len(run), run))
    return runs


def _model_like(token: str) -> bool:
    """Letters and digits together ("G15", "T14s"), or a capital inside ("iPhone")."""
    has_digit = any(c.isdigit() for c in token)
    if has_digit and any(c.isalpha() for c in token):
        measured = quantity(token)
        return measured is None or not measured.unit
    return any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)


def _looks_like_name(token: str) -> bool:
    return _model_like(token) or (len(token) > 1 and token[0].isupper() and token[1:].islower())


def _refer_back(
    text_words: tuple[str, ...],
    language: str,
    focus: Focus,
    catalogue: Catalogue,
    picks: SpecPicks | None,
) -> InPlay:
    last = focus.products
    if not last:
        return InPlay()
    by_name = _named_in_focus(text_words, last, catalogue)
    if by_name is not None:
        return InPlay((by_name,), last, referred=True, picked=True)
    number = ordinal(text_words, language)
    if number is not None and len(last) > 1:
        picked = last[number] if -len(last) <= number < len(last) else None
        chosen = (picked,) if picked else ()
        return InPlay(_products(chosen, catalogue), last, referred=True, picked=bool(chosen))
    pick = None if picks is None or len(last) < 2 else picks.asked(text_words, language)
    if pick is not None:
        best = pick.choose(_products(last, catalogue), catalogue.quantity)
        if best is not None:
            return InPlay((best,), last, referred=True, picked=True)
    if says_other(text_words, language) and not says_all(text_words, language):
        first = focus.selected or last[0]
        others = tuple(i for i in last if i != first)
        return InPlay(_products(others, catalogue), (*others, first), referred=True)
    if focus.selected is not None and not says_all(text_words, language):
        return InPlay(products=_products((focus.selected,), catalogue), context=last)
    return InPlay(products=_products(last[:MAX_IN_PLAY], catalogue), context=last)


def _name_words(product: Product) -> set[str]:
    return {w for text in (product.name, *product.aliases) for w in words(text)}


def _distinct(word: str) -> bool:
    return len(word) >= 2 and not word.isdigit() and word not in _DETERMINERS


def _named_in_focus(
    text_words: tuple[str, ...], last: tuple[str, ...], catalogue: Catalogue
) -> Product | None:
    """The one product in focus a word of the message names alone ("the pro", "the m3
    one", "el lenovo"), if any."""
    products = _products(last, catalogue)
    if len(products) < 2:
        return None
    names = [(p, _name_words(p)) for p in products]
    for word in (w for w in text_words if _distinct(w)):
        owners = [p for p, own in names if word in own]
        if len(owners) == 1:
            return owners[0]
    return None


def _siblings(
    named: tuple[Product, ...], text_words: tuple[str, ...], catalogue: Catalogue
) -> tuple[Product, ...]:
    """Products of the same family as one named, that a word of the message names alone:
    in "MacBook Air vs Pro", the MacBook Pro."""
    found: list[Product] = []
    for product in named:
        family = catalogue.family(words(product.name)[0])
        others = [p for i in family if (p := catalogue.get(i)) is not None and p not in named]
        own = _name_words(product)
        for word in (w for w in text_words if _distinct(w) and w not in own):
            owners = [p for p in others if word in _name_words(p)]
            if len(owners) == 1 and owners[0] not in found:
                found.append(owners[0])
    return tuple(found)


def _products(ids: tuple[str, ...], catalogue: Catalogue) -> tuple[Product, ...]:
    return tuple(p for i in ids if (p := catalogue.get(i)) is not None)


def _ids(products: tuple[Product, ...]) -> tuple[str, ...]:
    return tuple(p.id for p in products)


def mentioned_products(interpretation: Interpretation, catalogue: Catalogue) -> tuple[str, ...]:
    """The ids of the catalogue products the message names, in order, without repeats."""
    found = (catalogue.find(e.value) for e in interpretation.entities if e.entity == PRODUCT_ENTITY)
    return tuple(dict.fromkeys(p.id for p in found if p is not None))
