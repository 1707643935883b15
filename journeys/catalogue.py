"""The shop's products, looked up the ways customers name them.

``Catalogue.find`` resolves an id, a name or an alias (any case); ``names_and_aliases``
gives the NLU every surface form to recognise as a ``product`` entity; ``nearest`` suggests
the closest names for one the shop does not sell; ``family`` answers "which products does
the word *MacBook* stand for". Indexes are built once, when the catalogue is made, so a
lookup costs the same with 20 products or 5,000.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from journeys.catalogue_schema import normalise, read_catalogue
from journeys.facts import ShopFacts
from journeys.needs import Need
from journeys.products import Category, Colour, Product
from journeys.retrieval import TfIdfIndex
from journeys.specs import PRICE, Quantity, quantity
from journeys.text import Words, fold, words

__all__ = ["Catalogue", "Category", "Colour", "Product", "normalise"]

T = TypeVar("T")
_NEAREST_MIN = 0.3
_NEAREST_SHARE = 0.6
"""Suggestions score at least ``_NEAREST_MIN`` and this share of the best one's score."""


@dataclass(frozen=True, slots=True)
class _Indexes:
    by_id: dict[str, Product]
    surfaces: dict[str, str]
    folded: dict[tuple[str, ...], str]
    family: dict[str, tuple[str, ...]]
    by_category: dict[str, tuple[Product, ...]]
    numbers: dict[str, dict[str, Quantity]]
    vocabulary: frozenset[str]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The validated product list. Build it with ``from_mapping``."""

    products: tuple[Product, ...]
    category_list: tuple[Category, ...] = ()
    colours: tuple[Colour, ...] = ()
    needs: tuple[Need, ...] = ()
    currency: str = "EUR"
    _index: _Indexes = field(init=False, repr=False, compare=False)
    _nearest: list[tuple[TfIdfIndex, tuple[str, ...]]] = field(
        init=False, repr=False, compare=False
    )
    _memo: dict[Hashable, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_indexes(self))
        object.__setattr__(self, "_nearest", [])
        object.__setattr__(self, "_memo", {})

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, computed once per catalogue for ``key`` (orderings, filters)."""
        if key not in self._memo:
            self._memo[key] = build()
        result: T = self._memo[key]
        return result

    @classmethod
    def from_mapping(
        cls, data: Any, source: str = "catalogue.yml", facts: ShopFacts | None = None
    ) -> Catalogue:
        """Validate an already-parsed catalogue; raise CatalogueError when it is wrong.

        Fact placeholders in the products' policies are filled from ``facts``."""
        parts = read_catalogue(data, source, facts)
        return cls(
            products=parts.products,
            category_list=parts.categories,
            colours=parts.colours,
            needs=parts.needs,
            currency=parts.currency,
        )

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def get(self, product_id: str) -> Product | None:
        """The product with exactly this id."""
        return self._index.by_id.get(product_id)

    def find(self, name_or_id: str) -> Product | None:
        """The product with this id, name or alias (any case), or None."""
        found = self.get(name_or_id)
        if found is not None:
            return found
        wanted = normalise(name_or_id)
        product_id = self._index.surfaces.get(wanted) or self._only_product_named_in(wanted)
        return None if product_id is None else self.get(product_id)

    def _only_product_named_in(self, text: str) -> str | None:
        """The one product whose names/aliases together make up all of ``text`` (else None).

        So "ThinkPad X1 Carbon" (alias "thinkpad" + alias "x1 carbon") finds the ThinkPad,
        while "XPS 15" (only "xps" is known) and "XPS 13 or MacBook Air" find nothing.
        """
        parts = text.split()
        covered = [False] * len(parts)
        ids: set[str] = set()
        for start in range(len(parts)):
            for end in range(len(parts), start, -1):
                product_id = self._index.surfaces.get(" ".join(parts[start:end]))
                if product_id is not None:
                    ids.add(product_id)
                    covered[start:end] = [True] * (end - start)
        return ids.pop() if len(ids) == 1 and all(covered) else None

    def names_and_aliases(self) -> dict[str, str]:
        """Every name and alias (lower case) → product id, for the NLU's product lookup."""
        return dict(self._index.surfaces)

    def named_in(self, folded_words: tuple[str, ...]) -> str | None:
        """The product whose folded name or alias is exactly these words."""
        return self._index.folded.get(folded_words)

    def family(self, word: str) -> tuple[str, ...]:
        """The ids of the products whose name starts with this folded word (``macbook``)."""
        return self._index.family.get(word, ())

    def knows_word(self, word: str) -> bool:
        """True when a folded word occurs anywhere in the catalogue's own texts and words."""
        return word in self._index.vocabulary

    def nearest(self, text: str, limit: int = 3) -> tuple[Product, ...]:
        """The products whose name or alias looks most like ``text`` (may be empty)."""
        if not self._nearest:
            surfaces = list(self._index.surfaces.items())
            index = TfIdfIndex.build([s for s, _ in surfaces])
            self._nearest.append((index, tuple(i for _, i in surfaces)))
        index, owners = self._nearest[0]
        best: dict[str, float] = {}
        for number, score in index.scores(text).items():
            owner = owners[number]
            best[owner] = max(best.get(owner, 0.0), score)
        if not best:
            return ()
        top = max(best.values())
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        cut = max(_NEAREST_MIN, top * _NEAREST_SHARE)
        return tuple(self._index.by_id[i] for i, s in ranked[:limit] if s >= cut)

    @property
    def categories(self) -> tuple[str, ...]:
        """The names of the categories in use, in file order."""
        return tuple(self._index.by_category)

    def category(self, name: str) -> Category:
        """The category of this name (a bare one when the file only lists names)."""
        return next((c for c in self.category_list if c.name == name), Category(name))

    def in_category(self, name: str) -> tuple[Product, ...]:
        """The products of one category, in file order."""
        return self._index.by_category.get(name, ())

    def quantity(self, product: Product, key: str) -> Quantity | None:
        """A spec (or ``price``) of ``product`` as a number in a common unit."""
        if key == PRICE:
            return Quantity(float(product.price), product.currency.lower())
        return self._index.numbers.get(product.id, {}).get(key)

    def colour(self, name: str) -> Colour | None:
        """The colour of this name."""
        return next((c for c in self.colours if c.name == name), None)


def _build_indexes(catalogue: Catalogue) -> _Indexes:
    surfaces: dict[str, str] = {}
    folded: dict[tuple[str, ...], str] = {}
    family: dict[str, list[str]] = {}
    by_category: dict[str, list[Product]] = {}
    for product in catalogue.products:
        for text in (product.name, *product.aliases):
            surfaces[normalise(text)] = product.id
            folded[words(text)] = product.id
        first = words(product.name)[:1]
        if first and not first[0].isdigit() and len(first[0]) > 1:
            family.setdefault(first[0], []).append(product.id)
        by_category.setdefault(product.category, []).append(product)
    return _Indexes(
        by_id={p.id: p for p in catalogue.products},
        surfaces=surfaces,
        folded=folded,
        family={w: tuple(ids) for w, ids in family.items()},
        by_category={c: tuple(ps) for c, ps in by_category.items()},
        numbers={p.id: _numbers(p) for p in catalogue.products},
        vocabulary=_vocabulary(catalogue),
    )


def _numbers(product: Product) -> dict[str, Quantity]:
    return {key: q for key, value in product.specs if (q := quantity(value)) is not None}


def _vocabulary(catalogue: Catalogue) -> frozenset[str]:
    texts: list[str] = []
    for product in catalogue.products:
        texts += [product.name, *product.aliases, *(v for _, v in product.specs)]
        texts += [text for _, text in product.descriptions]
    found = {w for text in texts for w in fold(text).split()}
    groups: list[Words] = [c.words for c in catalogue.category_list]
    groups += [c.words for c in catalogue.colours] + [n.words for n in catalogue.needs]
    for group in groups:
        for _, phrases in group.by_language:
            found.update(w for phrase in phrases for w in phrase.words)
    return frozenset(found)
