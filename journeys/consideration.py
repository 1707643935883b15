"""Consideration-stage answers: which question it is, and the answer from the shop's data.

- ``ask_price`` / ``ask_stock`` / ``ask_specs``: about the products in play (see
  ``journeys.references``); a colour word asks about colours, spec words narrow the specs
  ("how much RAM"); with no product but a need, category or budget ("the cheapest
  laptop") it becomes a recommendation; with none of these, an FAQ answer when the NLU
  ranked an FAQ intent next and retrieval agrees ("quanto costa spedire?"), else the
  intent's template asks which product.
- ``compare_products``: a side-by-side table (``journeys.compare``); one product named
  while another is in play compares the two; a family word ("the MacBooks") compares its
  products; with fewer than two, a need or budget makes it a recommendation.
- ``select_product`` ("the cheaper one", "the second one"), or a message the NLU read as
  an objection or did not understand that picks one of the products in focus: that
  product's card, never an objection; with nothing in focus, a question which products.
- ``browse_products``: the overview of the category named, or of the whole shop
  (``journeys.overview``); picks when the message states a need or budget.
- ``ask_recommendation`` / ``describe_need``: picks when the message states a need, budget
  or category (``journeys.recommend``), else the intent's template.
- An FAQ answer never overrides an intent the NLU is sure of (``CONFIDENT``): only a
  message it was unsure of may get the FAQ entry that clearly matches.
- an intent the FAQ answers (``faq.yml`` ``intents``): a product in play with its own
  answer for the category wins; else the best FAQ entry; under the FAQ's ``min_score`` the
  bot says it is not sure and offers a person.
- not understood, but clear enough in parts: an FAQ entry when one matches clearly
  (``FALLBACK_MARGIN`` above ``min_score``); picks when the NLU's best guess was a
  recommendation and the message states a need; a comparison when it names several
  products; for one product named or pointed back at ("and the other one?"), the specs
  it names, else a short product card; a colour answer when it names a colour while
  products are in play; else nothing (the caller's fallback).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from journeys.answers import (
    CARD_SPECS,
    SUGGESTIONS,
    ambiguous_reply,
    buttons_on_last,
    card_reply,
    colour_reply,
    price_reply,
    spec_reply,
    specs_reply,
    stock_reply,
    unknown_reply,
)
from journeys.catalogue import Catalogue, Colour, Product
from journeys.compare import compare_reply
from journeys.faq import FaqEntry
from journeys.model import Reply
from journeys.overview import overview_reply
from journeys.recommend import Criteria, criteria, recommend
from journeys.references import PRODUCT_ENTITY, Focus, InPlay, resolve
from journeys.replies import Speaker
from journeys.shop import Shop
from journeys.specs import PRICE
from journeys.text import words
from nlu.types import FALLBACK_INTENT, Interpretation

PRODUCT_QUESTIONS = frozenset({"ask_price", "ask_stock", "ask_specs"})
COMPARE_INTENT = "compare_products"
RECOMMEND_INTENTS = frozenset({"ask_recommendation", "describe_need", "browse_products"})
BROWSE_INTENT = "browse_products"
SELECT_INTENT = "select_product"
PICKED_INSTEAD_OF = frozenset({"hesitation", FALLBACK_INTENT})
"""Intents a message that picks one of the products in focus is often mistaken for."""
CONFIDENT = 0.8
"""An intent the NLU is at least this sure of is never overridden by an FAQ match."""
OTHER_THAN = "other_than"
"""The word list of "what else do you sell apart from laptops?"."""
NO_SIGNAL = ""
"""``Answer.signal`` of an answer that must not move the customer's stage."""
BY_CONTEXT = "context"
BY_PRODUCT = "product"
BY_FAQ = "faq"
FALLBACK_MARGIN = 0.15
"""How much surer the FAQ must be about a message the NLU did not understand."""
RUNNERS_UP = 3
RUNNER_UP_MIN = 0.1
"""An FAQ intent ranked second or third with at least this confidence may be the question."""
CARD_SIGNAL = "ask_price"
SPECS_SIGNAL = "ask_specs"
"""The stage signal of a product card given for a message the NLU did not understand."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The replies, the products they used, what later messages may refer back to, the FAQ
    entry used, and the intent they answered (for the stage, when not the NLU's)."""

    replies: tuple[Reply, ...]
    products: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    faq_entry: str | None = None
    signal: str | None = None
    resolved_by: str | None = None
    """How a message the NLU read otherwise was answered: ``context``, ``product``, ``faq``."""


@dataclass(frozen=True, slots=True)
class _Turn:
    intent: str
    interpretation: Interpretation
    focus: Focus
    shop: Shop
    speaker: Speaker
    text_words: tuple[str, ...] = field(default=())

    @property
    def catalogue(self) -> Catalogue:
        return self.shop.catalogue

    @property
    def language(self) -> str:
        return self.speaker.language

    @property
    def confident(self) -> bool:
        return self.interpretation.intent.confidence >= CONFIDENT

    def in_play(self, *, guess_names: bool = True) -> InPlay:
        return resolve(
            self.interpretation,
            self.focus.products,
            self.catalogue,
            guess_names=guess_names,
            known_word=self.shop.known_words,
            picks=self.shop.replies.picks,
            selected=self.focus.selected,
        )

    def asked_specs(self) -> tuple[str, ...]:
        """The specs the message asks about; not the one a pick compares ("the one with more
        storage - what does it cost?" asks no spec)."""
        language = self.interpretation.language
        asked = self.shop.replies.specs.asked(self.text_words, language)
        pick = self.shop.replies.picks.asked(self.text_words, language)
        return tuple(a for a in asked if pick is None or a != pick.spec)

    def picked_by(self) -> str | None:
        """The spec a pick compares ("which of the two weighs less?": weight), if any."""
        pick = self.shop.replies.picks.asked(self.text_words, self.interpretation.language)
        return None if pick is None or pick.spec == PRICE else pick.spec

    def colour(self) -> Colour | None:
        """The colour the message names, in any language ("e in nero?" after Spanish)."""
        found = [
            (position, c.name, c)
            for c in self.catalogue.colours
            if (position := c.words.position_any(self.text_words)) is not None
        ]
        return min(found)[2] if found else None


def answer(
    intent: str, interpretation: Interpretation, focus: Focus, shop: Shop, speaker: Speaker
) -> Answer | None:
    """The consideration answer to one message, None when it is not one of these questions."""
    turn = _Turn(intent, interpretation, focus, shop, speaker, words(interpretation.text))
    on_topic = _on_topic(turn)
    if on_topic is not None:
        return on_topic
    if intent == SELECT_INTENT or (intent in PICKED_INSTEAD_OF and _picks(turn)):
        return _selection(turn)
    category = shop.faq.category_for(intent)
    if category is not None:
        return _from_faq(turn, category)
    if intent in PRODUCT_QUESTIONS:
        return _product_question(turn)
    if intent == COMPARE_INTENT:
        return _comparison(turn)
    if intent in RECOMMEND_INTENTS:
        return _browse_or_recommend(turn)
    if intent == FALLBACK_INTENT:
        return _clear_faq_answer(turn) or _not_understood(turn)
    return None


FOLLOW_UP_WORDS = 10
"""A follow-up on the last FAQ topic is a short message: at most this many words."""
ELLIPSIS_WORDS = 5
"""A follow-up this short ("¿y con Bizum?") is answered from its topic even when no entry
matches it well: the closest entry scoring ``ELLIPSIS_MIN_SCORE``, else the last one."""
ELLIPSIS_MIN_SCORE = 0.3
LOOSE_INTENTS = frozenset({FALLBACK_INTENT, "out_of_scope"} | RECOMMEND_INTENTS)
"""What a short follow-up on a topic is often mistaken for ("and for students?")."""


def _on_topic(turn: _Turn) -> Answer | None:
    """A short follow-up on the FAQ topic answered last ("¿y a Suiza?" after the countries
    we ship to), answered from that topic: the entry that matches it, or for a bare "and
    X?" the topic's closest entry, else the last one again."""
    faq = turn.shop.faq
    last = None if turn.focus.faq_entry is None else faq.get(turn.focus.faq_entry)
    if last is None or last.category is None or len(turn.text_words) > FOLLOW_UP_WORDS:
        return None
    if turn.interpretation.entity_values(PRODUCT_ENTITY):
        return None
    topic, text, language = last.category, turn.interpretation.text, turn.language
    loose = not turn.confident or turn.intent in LOOSE_INTENTS
    follows = faq.follows_up(turn.text_words, language)
    if not (loose or follows):
        return None
    match = faq.search(text, language, topic)
    entry = match.entry if match is not None and match.entry.category == topic else None
    bare = follows and len(turn.text_words) <= ELLIPSIS_WORDS
    if entry is None and bare and (loose or faq.category_for(turn.intent) == topic):
        best = faq.best(text, language, topic)
        near = best is not None and best.score >= ELLIPSIS_MIN_SCORE
        entry = best.entry if near and best is not None else last
    if entry is None:
        return None
    signal = faq.intent_for(topic)
    how = BY_CONTEXT if signal != turn.intent else None
    return replace(_faq_answer(turn, entry, signal), resolved_by=how)


def _picks(turn: _Turn) -> bool:
    """True when the message chooses one of the products in focus ("the cheaper one")."""
    in_play = turn.in_play(guess_names=False)
    return in_play.picked and not in_play.named


def _selection(turn: _Turn) -> Answer:
    """The product the message picks, as a card; with nothing to pick from, ask which."""
    in_play = turn.in_play(guess_names=False)
    if not in_play.products:
        return Answer((turn.speaker.say("select_nothing_in_focus"),), signal=NO_SIGNAL)
    if len(in_play.products) > 1 and not in_play.named:
        reply = ambiguous_reply(in_play.products, "ask_price", turn.speaker)
        return Answer((reply,), context=in_play.context, signal=SELECT_INTENT)
    how = None if turn.intent == SELECT_INTENT else BY_CONTEXT
    shown = () if in_play.named else tuple(s for s in (turn.picked_by(),) if s)
    return replace(_details(turn, in_play, shown), signal=SELECT_INTENT, resolved_by=how)


def _browse_or_recommend(turn: _Turn) -> Answer | None:
    if not turn.confident and (turn.asked_specs() or turn.colour()):
        in_play = turn.in_play(guess_names=False)  # "di che colori c'è?" about the focus
        if in_play.products:
            return replace(_details(turn, in_play), signal=SPECS_SIGNAL, resolved_by=BY_CONTEXT)
    wanted = criteria(turn.interpretation, turn.catalogue)
    if wanted.needs or wanted.budget is not None:
        return _recommendation(turn, wanted)
    if not turn.confident:
        found = _clear_faq_answer(turn)
        if found is not None:
            return found
    if turn.intent == BROWSE_INTENT:
        name = wanted.category.name if wanted.category is not None else None
        if name is not None and turn.speaker.says(OTHER_THAN, turn.text_words):
            return Answer((overview_reply(turn.catalogue, None, turn.speaker, but=name),))
        return Answer((overview_reply(turn.catalogue, name, turn.speaker),))
    return _recommendation(turn, wanted)


def _product_question(turn: _Turn) -> Answer:
    in_play = turn.in_play()
    if in_play.ambiguous:
        reply = ambiguous_reply(in_play.ambiguous, turn.intent, turn.speaker)
        return Answer((reply,), context=in_play.context)
    if not in_play.products and in_play.unknown is None:
        wanted = criteria(turn.interpretation, turn.catalogue)
        found = _recommendation(turn, wanted) if wanted.given else _faq_instead(turn)
        return found or Answer((turn.speaker.say(turn.intent),))
    replies = [_about(turn, product) for product in in_play.products]
    if in_play.unknown is not None:
        replies.append(unknown_reply(in_play.unknown, turn.intent, turn.catalogue, turn.speaker))
    ids = tuple(p.id for p in in_play.products)
    context = in_play.context or _nearest(turn, in_play.unknown)
    return Answer(buttons_on_last(replies), ids, context)


def _nearest(turn: _Turn, unknown: str | None) -> tuple[str, ...]:
    """The products suggested instead of one the shop does not sell: what "the M3 one"
    refers to next."""
    if unknown is None:
        return ()
    return tuple(p.id for p in turn.catalogue.nearest(unknown, SUGGESTIONS))


def _about(turn: _Turn, product: Product) -> Reply:
    colour = turn.colour()
    if colour is not None:
        return colour_reply(product, colour, turn.speaker, turn.catalogue)
    if turn.intent == "ask_specs":
        asked = turn.shop.replies.specs.asked(turn.text_words, turn.interpretation.language)
        if asked:
            return spec_reply(product, asked, turn.speaker, turn.catalogue)
        return specs_reply(product, turn.speaker, turn.catalogue)
    if turn.intent == "ask_stock":
        return stock_reply(product, turn.speaker)
    return price_reply(product, turn.speaker)


def _comparison(turn: _Turn) -> Answer:
    in_play = turn.in_play()
    products = list(in_play.products or in_play.ambiguous)
    if len(products) == 1 and not in_play.named:  # "and the other one?"
        reply = card_reply(products[0], turn.speaker, turn.catalogue)
        return Answer((reply,), (products[0].id,), in_play.context)
    if len(products) == 1 and in_play.named:
        before = [p for i in turn.focus.products if (p := turn.catalogue.get(i)) is not None]
        products = [p for p in before if p.id != products[0].id][:1] + products
    if len(products) < 2:
        if in_play.unknown is not None:
            reply = unknown_reply(in_play.unknown, turn.intent, turn.catalogue, turn.speaker)
            return Answer((reply,))
        wanted = criteria(turn.interpretation, turn.catalogue)
        found = _recommendation(turn, wanted) if wanted.needs or wanted.budget else None
        return found or Answer((turn.speaker.say(turn.intent),))
    asked = turn.shop.replies.specs.asked(turn.text_words, turn.interpretation.language)
    replies = [compare_reply(products[:3], asked, turn.catalogue, turn.speaker)]
    if in_play.unknown is not None:
        replies.append(unknown_reply(in_play.unknown, turn.intent, turn.catalogue, turn.speaker))
    ids = tuple(p.id for p in products[:3])
    return Answer(buttons_on_last(replies), ids, ids)


def _recommendation(turn: _Turn, wanted: Criteria) -> Answer | None:
    if not wanted.given:
        return None
    reply, ids = recommend(wanted, turn.catalogue, turn.speaker)
    return Answer((reply,), ids, ids)


def _from_faq(turn: _Turn, category: str) -> Answer:
    faq = turn.shop.faq
    match = faq.search(turn.interpretation.text, turn.language, category)
    topic = match.entry.category if match is not None and match.entry.category else category
    in_play = turn.in_play()
    own = [(p, text) for p in in_play.products if (text := p.policy(topic, turn.language))]
    if own:
        replies = [turn.speaker.say("product_policy", product=p.name, text=t) for p, t in own]
        return Answer(tuple(replies), tuple(p.id for p, _ in own), in_play.context)
    if match is None:
        return Answer((turn.speaker.say("faq_not_sure"),))
    return _faq_answer(turn, match.entry)


def _faq_answer(turn: _Turn, entry: FaqEntry, signal: str | None = None) -> Answer:
    reply = Reply(text=entry.answer(turn.language), template="faq_answer")
    return Answer((reply,), faq_entry=entry.id, signal=signal)


def _clear_faq_answer(turn: _Turn) -> Answer | None:
    """The FAQ answer to a message of another intent, when the FAQ is clearly sure of it."""
    faq = turn.shop.faq
    best = faq.best(turn.interpretation.text, turn.language)
    if best is None or best.score < faq.min_score + FALLBACK_MARGIN:
        return None
    signal = faq.intent_for(best.entry.category)
    if not signal:
        return None
    found = _faq_answer(turn, best.entry, signal)
    return replace(found, resolved_by=BY_FAQ) if signal != turn.intent else found


def _faq_instead(turn: _Turn) -> Answer | None:
    """A product question about no product may be an FAQ one the NLU ranked next ("quanto
    costa spedire?": ask_price, then ask_shipping): the FAQ answer when retrieval agrees."""
    faq = turn.shop.faq
    for score in turn.interpretation.intent_ranking[1:RUNNERS_UP]:
        category = faq.category_for(score.name)
        if category is None or score.confidence < RUNNER_UP_MIN:
            continue
        match = faq.search(turn.interpretation.text, turn.language, category)
        if match is not None and match.entry.category == category:
            return _faq_answer(turn, match.entry, score.name)
    return _clear_faq_answer(turn)


def _not_understood(turn: _Turn) -> Answer | None:
    """What a message the NLU was unsure of still says clearly (see the module docstring)."""
    ranking = turn.interpretation.intent_ranking
    guess = ranking[0].name if ranking and ranking[0].confidence >= RUNNER_UP_MIN else None
    if guess in RECOMMEND_INTENTS:
        wanted = criteria(turn.interpretation, turn.catalogue)
        if wanted.needs:
            found = _recommendation(turn, wanted)
            if found is None:
                return None
            return replace(found, signal=guess, resolved_by=BY_PRODUCT)
    in_play = turn.in_play(guess_names=False)
    if not in_play.products and guess in PRODUCT_QUESTIONS:
        in_play = turn.in_play()  # "avete il samsung galaxy book 4?": an unknown name
    if in_play.unknown is not None and not in_play.products:
        reply = unknown_reply(in_play.unknown, CARD_SIGNAL, turn.catalogue, turn.speaker)
        context = _nearest(turn, in_play.unknown)
        return Answer((reply,), (), context, None, CARD_SIGNAL, BY_PRODUCT)
    if not in_play.products:
        return None
    how = BY_PRODUCT if in_play.named else BY_CONTEXT
    asked = turn.shop.replies.specs.asked(turn.text_words, turn.interpretation.language)
    question = guess if guess in PRODUCT_QUESTIONS else None
    if not (in_play.named or in_play.referred or asked or turn.colour() or question):
        return None
    if in_play.named and len(in_play.products) > 1:
        return replace(_comparison(turn), signal=COMPARE_INTENT, resolved_by=how)
    if question is not None and not asked and turn.colour() is None:
        asking = replace(turn, intent=question)
        replies = [_about(asking, p) for p in in_play.products]
        ids = tuple(p.id for p in in_play.products)
        return Answer(buttons_on_last(replies), ids, in_play.context, None, question, how)
    signal = SPECS_SIGNAL if asked or turn.colour() else CARD_SIGNAL
    return replace(_details(turn, in_play), signal=signal, resolved_by=how)


def _details(turn: _Turn, in_play: InPlay, shown: tuple[str, ...] = ()) -> Answer:
    """For each product: the colour the message names, else the specs it asks (or
    ``shown``: the spec it was picked by), else a card."""
    asked = turn.asked_specs()
    colour = turn.colour()
    replies = [
        colour_reply(p, colour, turn.speaker, turn.catalogue)
        if colour is not None
        else spec_reply(p, asked, turn.speaker, turn.catalogue)
        if asked
        else card_reply(p, turn.speaker, turn.catalogue)
        for p in in_play.products
    ]
    on_card = {key for p in in_play.products for key, _ in p.specs[:CARD_SPECS]}
    if not asked and colour is None and shown and not set(shown) <= on_card:
        replies = [
            spec_reply(p, shown, turn.speaker, turn.catalogue) for p in in_play.products
        ] + replies
    ids = tuple(p.id for p in in_play.products)
    return Answer(buttons_on_last(replies), ids, in_play.context)


def _colours(turn: _Turn, in_play: InPlay) -> Answer | None:
    """ "¿y en plata?" about the products discussed: whether they come in that colour."""
    colour = turn.colour()
    if colour is None or not in_play.products:
        return None
    replies = [colour_reply(p, colour, turn.speaker, turn.catalogue) for p in in_play.products]
    ids = tuple(p.id for p in in_play.products)
    return Answer(buttons_on_last(replies), ids, in_play.context, None, CARD_SIGNAL, BY_CONTEXT)
