"""Consideration questions as customers write them, through the real embedded NLU and the
real ``decide()`` on the demo shop: 30 per language, each checked for the facts its answer
must state and for anything false (another product's name or price, another FAQ answer).
Then a few conversations through the REST channel, as a person on the demo page has them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_services
from bot.web.app import SERVICES, build_web_app
from journeys.dialogue import decide
from journeys.model import Decision
from nlu.embedded import EmbeddedBackend
from tests.builders import customer_state, demo_shop
from tests.conftest import make_settings
from tests.dialogues.runner import falsehoods
from tests.fakes import FakeClock

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Client = TestClient[web.Request, web.Application]


@dataclass(frozen=True)
class Question:
    """A message, the products discussed before it, what the answer must say and be about."""

    text: str
    must: tuple[str, ...]
    about: tuple[str, ...] = ()
    """The only products the answer may name or price."""
    faq: str | None = None
    before: tuple[str, ...] = ()


def q(text: str, *must: str, about: str = "", faq: str | None = None, before: str = "") -> Question:
    return Question(text, must, tuple(about.split()), faq, tuple(before.split()))


EN = [
    q("what would the Dell XPS 13 set me back?", "€1,299.00", about="xps-13"),
    q("price check on the Zenbook please", "€999.00", about="zenbook-14"),
    q("how pricey is the Surface Laptop 7 these days", "€1,349.00", about="surface-laptop-7"),
    q("MX Master 3S cost?", "€109.99", about="mx-master-3s"),
    q("and how much is it?", "€2,149.00", about="thinkpad-x1-carbon", before="thinkpad-x1-carbon"),
    q("how heavy is the ThinkPad X1 Carbon?", "1090 g", about="thinkpad-x1-carbon"),
    q("what processor is inside the Acer Aspire 5", "Intel Core i5-13420H", about="acer-aspire-5"),
    q("how long does the MacBook Pro battery last", "24 h", about="macbook-pro-14"),
    q("give me the full specs of the Sony WH-1000XM5", "30 h (ANC)", "250 g",
      about="sony-wh1000xm5"),
    q("what kind of screen has the ROG Zephyrus G14 got", '14" 3K OLED', about="rog-zephyrus-g14"),
    q("can I get the HP Pavilion 15 right now?", "out of stock", about="hp-pavilion-15"),
    q("any MacBook Pro 14 left?", "in stock", about="macbook-pro-14"),
    q("does the Zenbook come in blue?", "Yes", "blue", about="zenbook-14"),
    q("is the ThinkPad available in silver?", "doesn't come in silver", "black",
      about="thinkpad-x1-carbon"),
    q("XPS 13 or MacBook Air – which one weighs less?", "The Dell XPS 13 is lighter", "1240 g",
      about="xps-13 macbook-air-13"),
    q("how do the Zenbook 14 and the Swift Go 14 stack up?", "Side by side", "€999.00", "€849.00",
      about="zenbook-14 acer-swift-go-14"),
    q("what's the difference between the MacBook Air and the MacBook Pro", "€1,249.00",
      "€1,899.00", "256 GB SSD", about="macbook-air-13 macbook-pro-14"),
    q("which has the longer battery life, the ThinkPad or the XPS?",
      "The Lenovo ThinkPad X1 Carbon lasts longer on battery", about="thinkpad-x1-carbon xps-13"),
    q("I need a lightweight laptop for business trips under 1000 euros", "ASUS Zenbook 14 OLED",
      "Acer Swift Go 14", "1200 g", about="zenbook-14 acer-swift-go-14 ideapad-slim-3"),
    q("what do you suggest for a uni student on a tight budget?", "Lenovo IdeaPad Slim 3",
      "€549.00", about="ideapad-slim-3 acer-aspire-5 acer-swift-go-14"),
    q("best machine for gaming?", "ASUS ROG Zephyrus G14", "RTX 4060", about="rog-zephyrus-g14"),
    q("recommend some good headphones", "Sony WH-1000XM5", "€349.00", about="sony-wh1000xm5"),
    q("what do you charge for delivery?", "€4.90", "€99", faq="shipping-cost"),
    q("if I change my mind can I send it back?", "30 days", faq="return-policy"),
    q("can I spread the payment over a few months?", "Klarna", faq="instalments"),
    q("what hours is your support team around?", "9:00–18:00", faq="opening-hours"),
    q("does the MacBook Air come with a warranty?", "AppleCare+", about="macbook-air-13"),
    q("are there any deals for students?", "5%", faq="student-discount"),
    q("how much is the Galaxy Book 3?", "we don't sell", "Galaxy Book 3"),
    q("and the other one?", "MacBook Air 13 M3", "€1,249.00", about="macbook-air-13",
      before="xps-13 macbook-air-13"),
]  # fmt: skip

ES = [
    q("¿qué precio tiene el Dell XPS 13?", "1.299,00 €", about="xps-13"),
    q("¿a cuánto está el Zenbook 14?", "999,00 €", about="zenbook-14"),
    q("dime el precio del Surface Laptop", "1.349,00 €", about="surface-laptop-7"),
    q("¿y cuánto vale?", "1.899,00 €", about="macbook-pro-14", before="macbook-pro-14"),
    q("precio de los auriculares Sony", "349,00 €", about="sony-wh1000xm5"),
    q("¿cuánto pesa el ThinkPad?", "1090 g", about="thinkpad-x1-carbon"),
    q("¿cuánta RAM lleva el MacBook Air?", "16 GB", about="macbook-air-13"),
    q("¿qué procesador tiene el IdeaPad?", "AMD Ryzen 5 7530U", about="ideapad-slim-3"),
    q("¿de cuánto es la batería del Zenbook 14?", "75 Wh", about="zenbook-14"),
    q("características del Acer Aspire 5", "Intel Core i5-13420H", "1780 g",
      about="acer-aspire-5"),
    q("¿tenéis el HP Pavilion en stock?", "agotado", about="hp-pavilion-15"),
    q("¿quedan unidades del ROG Zephyrus?", "quedan pocas unidades", "2",
      about="rog-zephyrus-g14"),
    q("¿el MacBook Air lo tenéis en negro?", "Sí", "negro", about="macbook-air-13"),
    q("¿el XPS 13 viene en azul?", "no está disponible en azul", "plata",
      about="xps-13"),
    q("¿qué es mejor, el Zenbook o el IdeaPad?", "Comparados", "999,00 €", "549,00 €",
      about="zenbook-14 ideapad-slim-3"),
    q("compárame el MacBook Air con el XPS 13", "Comparados", "1.249,00 €", "1.299,00 €",
      about="macbook-air-13 xps-13"),
    q("¿cuál pesa menos, el ThinkPad o el MacBook Air?",
      "Lenovo ThinkPad X1 Carbon es más ligero", about="thinkpad-x1-carbon macbook-air-13"),
    q("diferencias entre el Surface Laptop y el Swift Go", "Comparados",
      about="surface-laptop-7 acer-swift-go-14"),
    q("busco un portátil ligero para viajar por menos de 1.000 €", "ASUS Zenbook 14 OLED",
      "999,00 €", about="zenbook-14 acer-swift-go-14 ideapad-slim-3"),
    q("¿qué portátil me recomiendas para la universidad?", "Lenovo IdeaPad Slim 3",
      about="ideapad-slim-3 acer-aspire-5 acer-swift-go-14"),
    q("quiero un portátil para editar vídeo", "ASUS ROG Zephyrus G14", "MacBook Pro 14 M4",
      about="rog-zephyrus-g14 macbook-pro-14 macbook-air-13"),
    q("un monitor barato para casa", "LG 24MK600", "129,00 €",
      about="lg-24-monitor ultrasharp-27"),
    q("¿cuánto cuesta el envío?", "4,90 €", faq="shipping-cost"),
    q("¿en cuántos días me llega el pedido?", "1–3 días laborables", faq="delivery-time"),
    q("¿puedo devolver un portátil que ya he abierto?", "abrir la caja", faq="opened-items"),
    q("¿se puede pagar a plazos?", "Klarna", faq="instalments"),
    q("¿tenéis tienda física en Madrid?", "no tenemos tienda física", faq="physical-store"),
    q("¿qué garantía tiene el MacBook Pro?", "AppleCare+", about="macbook-pro-14"),
    q("¿cuánto cuesta el Galaxy Book?", "no vendemos", "Galaxy Book"),
    q("¿cuánto cuesta el Lenovo?", "¿Cuál de ellos?", "2.149,00 €", "549,00 €",
      about="thinkpad-x1-carbon ideapad-slim-3"),
]  # fmt: skip

IT = [
    q("quanto viene il Dell XPS 13?", "1.299,00 €", about="xps-13"),
    q("mi dici il prezzo dello Zenbook?", "999,00 €", about="zenbook-14"),
    q("a quanto lo vendete il MacBook Pro?", "1.899,00 €", about="macbook-pro-14"),
    q("e quanto costa?", "549,00 €", about="ideapad-slim-3", before="ideapad-slim-3"),
    q("quanto costano le cuffie Sony?", "349,00 €", about="sony-wh1000xm5"),
    q("quanto pesa il MacBook Air?", "1240 g", about="macbook-air-13"),
    q("quanta RAM ha il ThinkPad X1 Carbon?", "32 GB", about="thinkpad-x1-carbon"),
    q("quanto dura la batteria del MacBook Air?", "18 h", about="macbook-air-13"),
    q("che scheda grafica monta lo Zephyrus?", "RTX 4060", about="rog-zephyrus-g14"),
    q("caratteristiche tecniche del Surface Laptop 7", "Qualcomm Snapdragon", "1340 g",
      about="surface-laptop-7"),
    q("l'HP Pavilion è disponibile?", "esaurito", about="hp-pavilion-15"),
    q("avete ancora il ThinkPad?", "pochi pezzi", "3", about="thinkpad-x1-carbon"),
    q("e in nero?", "Sì", "nero", about="macbook-air-13", before="macbook-air-13"),
    q("lo Zenbook c'è in bianco?", "non è disponibile in bianco", "blu", about="zenbook-14"),
    q("meglio l'XPS 13 o il MacBook Air?", "A confronto", "1.299,00 €", "1.249,00 €",
      about="xps-13 macbook-air-13"),
    q("confronta lo Zenbook 14 con l'IdeaPad", "A confronto", about="zenbook-14 ideapad-slim-3"),
    q("quale ha più autonomia tra il MacBook Pro e lo Zephyrus?",
      "MacBook Pro 14 M4 ha più autonomia", about="macbook-pro-14 rog-zephyrus-g14"),
    q("che differenza c'è tra il Surface e lo Swift Go?", "A confronto",
      about="surface-laptop-7 acer-swift-go-14"),
    q("cerco un portatile leggero per viaggiare sotto i 1.000 euro", "ASUS Zenbook 14 OLED",
      about="zenbook-14 acer-swift-go-14 ideapad-slim-3"),
    q("consigliami un portatile per lo studio", "Lenovo IdeaPad Slim 3",
      about="ideapad-slim-3 acer-aspire-5 acer-swift-go-14"),
    q("mi serve un portatile da gaming", "ASUS ROG Zephyrus G14", about="rog-zephyrus-g14"),
    q("un portatile con tanta autonomia?", "MacBook Pro 14 M4", "24 h",
      about="macbook-pro-14 surface-laptop-7 macbook-air-13"),
    q("quanto costa spedire un ordine?", "4,90 €", faq="shipping-cost"),
    q("entro quanti giorni posso fare il reso?", "30 giorni", faq="return-policy"),
    q("accettate PayPal?", "PayPal", faq="payment-methods"),
    q("a che ora chiude il servizio clienti?", "18:00", faq="opening-hours"),
    q("i resi sono gratis?", "gratuiti", faq="return-cost"),
    q("le cuffie Sony si possono restituire?", "sigillo igienico", about="sony-wh1000xm5"),
    q("quanto costa il Galaxy Book?", "non vendiamo", "Galaxy Book"),
    q("e l'altro?", "MacBook Air 13 M3", "1.249,00 €", about="macbook-air-13",
      before="xps-13 macbook-air-13"),
]  # fmt: skip

TABLE = [("en", x) for x in EN] + [("es", x) for x in ES] + [("it", x) for x in IT]


def test_the_table_has_thirty_questions_per_language() -> None:
    assert (len(EN), len(ES), len(IT)) == (30, 30, 30)


def _ask(nlu: EmbeddedBackend, language: str, question: Question) -> Decision:
    interpretation = nlu.parse_sync(question.text, language)
    state = customer_state(language=language, last_products=question.before)
    return decide(state, interpretation, NOW, demo_shop())


@pytest.mark.parametrize(
    ("language", "question"), TABLE, ids=[f"{lang}-{x.text}" for lang, x in TABLE]
)
def test_a_consideration_question_is_answered_right(
    embedded_nlu: EmbeddedBackend, language: str, question: Question
) -> None:
    decision = _ask(embedded_nlu, language, question)
    text = "\n".join(r.text for r in decision.replies)

    assert decision.language == language
    missing = [fact for fact in question.must if fact not in text]
    assert missing == [], text
    assert falsehoods(text, language, question.about) == [], text
    assert decision.faq_entry == question.faq, text
    if question.faq is not None:
        entry = demo_shop().faq.get(question.faq)
        assert entry is not None
        assert text == entry.answer(language)
    assert set(decision.products) <= set(question.about), text


# --- through the REST channel, as on the demo page -----------------------------------------


@pytest.fixture
async def client(
    embedded_nlu: EmbeddedBackend, tmp_path: Path, database_url: str
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    services = await build_services(
        make_settings(database_url, tmp_path), nlu=embedded_nlu, clock=FakeClock()
    )
    client = TestClient(TestServer(build_web_app(services)))
    await client.start_server()
    yield client
    await client.close()
    await services.aclose()


async def _say(client: Client, sender: str, text: str) -> list[dict[str, Any]]:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert resp.status == 200
    answers: list[dict[str, Any]] = await resp.json()
    return answers


def _text(answers: list[dict[str, Any]]) -> str:
    return "\n".join(a["text"] for a in answers)


async def test_a_comparison_then_a_follow_up_about_the_price(client: Client) -> None:
    compared = _text(await _say(client, "eva", "compare the XPS 13 and the MacBook Air"))
    followed = _text(await _say(client, "eva", "and how much do they cost?"))

    assert "Side by side" in compared
    assert "€1,299.00" in followed
    assert "€1,249.00" in followed
    services = client.app[SERVICES]
    async with services.uow() as uow:
        rows = await uow.queries.touchpoints(sender="eva")
    assert [tuple(r.products) for r in rows] == [("xps-13", "macbook-air-13")] * 2


async def test_after_a_comparison_one_price_then_the_other_one(client: Client) -> None:
    await _say(client, "max", "compare the XPS 13 and the MacBook Air")
    one = _text(await _say(client, "max", "how much is the XPS?"))
    other = _text(await _say(client, "max", "and the other one?"))

    assert "€1,299.00" in one
    assert other.startswith("MacBook Air 13 M3 – €1,249.00"), other


async def test_a_spanish_recommendation_then_the_second_pick(client: Client) -> None:
    picks = _text(
        await _say(client, "ana", "busco un portátil ligero para viajar por menos de 900 €")
    )
    second = _text(await _say(client, "ana", "¿cuánto cuesta el segundo?"))

    assert "Acer Swift Go 14 – 849,00 €" in picks
    assert "1.299,00 €" not in picks  # the XPS 13 is over the budget
    assert second.startswith("Lenovo IdeaPad Slim 3 cuesta 549,00 €")


async def test_an_italian_faq_answer_then_the_offer_of_a_person(client: Client) -> None:
    answered = _text(await _say(client, "gio", "posso pagare a rate?"))
    unsure = await _say(client, "gio", "spedite anche su Marte con un razzo?")

    assert "Klarna" in answered
    assert "Non sono sicuro" in _text(unsure)
    assert {"title": "Parla con una persona", "payload": "/ask_human"} in unsure[-1]["buttons"]
    async with client.app[SERVICES].uow() as uow:
        rows = await uow.queries.touchpoints(sender="gio")
    assert [r.faq_entry for r in rows] == ["instalments", None]
    assert rows[0].to_dict()["faq_entry"] == "instalments"
