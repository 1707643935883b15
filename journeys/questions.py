"""Several questions in one message, each answered, in one reply set.

The NLU gives each question of the message as a ``part`` ("how much is the XPS 13" and
"does it have 16GB RAM?"). Each is answered in turn as if asked alone, the products the
first one is about becoming the focus of the next ("does *it* have..."). Replies repeated
by two parts are given once. The stage moves for the furthest stage any part signals.
"""

from __future__ import annotations

from journeys.consideration import NO_SIGNAL, RECOMMEND_INTENTS, Answer, answer
from journeys.model import Reply
from journeys.references import Focus
from journeys.replies import Speaker
from journeys.shop import Shop
from nlu.types import Interpretation


def asks_several(interpretation: Interpretation, shop: Shop) -> bool:
    """True when the parts ask different things: different intents, or one FAQ intent about
    different entries ("do you ship to Portugal and how long does it take?")."""
    intents = {p.intent.name for p in interpretation.parts}
    if len(interpretation.parts) < 2:
        return False
    if len(intents) > 1:
        return True
    return shop.faq.category_for(next(iter(intents))) is not None


def answer_parts(
    interpretation: Interpretation, focus: Focus, shop: Shop, speaker: Speaker
) -> Answer | None:
    """The answers to every part of ``interpretation`` (None when none has an answer)."""
    replies: list[Reply] = []
    signals: list[str] = []
    last: Answer | None = None
    faq_entry: str | None = None
    for part in interpretation.parts:
        intent = part.intent.name
        if intent in RECOMMEND_INTENTS and last is not None:
            continue  # "A or B, which suits the office?": the comparison answers it
        found = answer(intent, part, focus, shop, speaker)
        if found is None:
            template = shop.template_for_intent(intent)
            if not speaker.has(template):
                continue
            found = Answer((speaker.say(template),))
        replies += [r for r in found.replies if r.text not in {x.text for x in replies}]
        faq_entry = found.faq_entry or faq_entry
        signal = intent if found.signal is None else found.signal
        if signal != NO_SIGNAL:
            signals.append(signal)
        if found.products:
            selected = found.products[0] if len(found.products) == 1 else None
            focus = Focus(found.context or found.products, selected)
            last = found
    if not replies:
        return None
    furthest = _furthest(signals, shop)
    products = last.products if last else ()
    context = last.context if last else ()
    return Answer(tuple(replies), products, context, faq_entry, furthest or NO_SIGNAL)


def _furthest(signals: list[str], shop: Shop) -> str | None:
    """The signal whose stage comes last in the journey (general intents count least)."""
    jm = shop.journey_map
    ranked = [(jm.index(s) if (s := jm.stage_for_signal(x)) else -1, x) for x in signals]
    return max(ranked)[1] if ranked else None
