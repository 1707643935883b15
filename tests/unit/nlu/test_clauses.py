"""Several questions in one message: where a message is cut, and when the pieces count."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nlu.clauses import split_clauses, with_parts
from nlu.types import FALLBACK_INTENT, IntentScore
from tests.fakes import FakeNluBackend


@pytest.mark.parametrize(
    ("text", "language", "pieces"),
    [
        ("how much is the XPS and does it have 16GB RAM?", "en",
         ["how much is the XPS", "does it have 16GB RAM?"]),
        ("how much is the xps 13? is it in stock?", "en",
         ["how much is the xps 13?", "is it in stock?"]),
        ("¿cuánto cuesta el envío y puedo pagar con PayPal?", "es",
         ["cuánto cuesta el envío", "puedo pagar con PayPal?"]),
        ("quanto costa la spedizione e posso pagare a rate?", "it",
         ["quanto costa la spedizione", "posso pagare a rate?"]),
        ("compare the XPS and the MacBook", "en", ["compare the XPS", "the MacBook"]),
        ("black and white", "en", ["black and white"]),
        ("hello", "en", ["hello"]),
        ("si lo compro y no me convence, ¿lo puedo devolver? ¿y qué garantía tiene?", "es",
         ["si lo compro y no me convence", "lo puedo devolver?", "qué garantía tiene?"]),
        ("too bad. how much would it have been", "en",
         ["too bad.", "how much would it have been"]),
        ("it weighs 1.2 kg and costs 999", "en", ["it weighs 1.2 kg", "costs 999"]),
    ],
)  # fmt: skip
def test_a_message_is_cut_at_question_marks_and_joining_words(
    text: str, language: str, pieces: list[str]
) -> None:
    assert [p.lstrip("¿") for p in split_clauses(text, language)] == pieces


KEYWORDS = {
    "how much": "ask_price",
    "ram": "ask_specs",
    "stock": "ask_stock",
    "compare": "compare_products",
}


async def test_two_different_questions_become_parts() -> None:
    nlu = FakeNluBackend(KEYWORDS, products={"xps": "xps-13"})
    whole = await nlu.parse("how much is the XPS and does it have 16GB RAM?", "en")

    found = await with_parts(nlu, whole)

    assert [p.intent.name for p in found.parts] == ["ask_price", "ask_specs"]
    assert found.parts[0].entity_values("product") == ("xps-13",)
    assert found.intent == whole.intent  # the message as a whole is read as before


async def test_one_question_with_and_stays_one() -> None:
    nlu = FakeNluBackend(KEYWORDS, products={"xps": "xps-13", "macbook": "macbook-air-13"})
    whole = await nlu.parse("compare the XPS and the MacBook", "en")

    found = await with_parts(nlu, whole)

    assert found.parts == ()  # "the MacBook" alone is not understood


async def test_an_outage_is_not_split() -> None:
    nlu = FakeNluBackend(KEYWORDS, available=False)
    whole = await nlu.parse("how much is it and is it in stock?", "en")

    assert (await with_parts(nlu, whole)).parts == ()
    assert nlu.calls == ["how much is it and is it in stock?"]


async def test_a_message_not_understood_whole_takes_its_one_understood_question() -> None:
    nlu = FakeNluBackend(KEYWORDS)
    whole = await nlu.parse("too bad. how much would it have been", "en")
    lost = replace(whole, intent=IntentScore(FALLBACK_INTENT, 0.5), intent_ranking=())

    found = await with_parts(nlu, lost)

    assert found.intent.name == "ask_price"
    assert found.parts == ()
    assert found.text == "too bad. how much would it have been"
