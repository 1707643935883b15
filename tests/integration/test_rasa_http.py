"""RasaHttpBackend, and the fallback wired around it, against a loopback fake of ``rasa run``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from bot.app import build_nlu, build_services
from bot.settings import DEMO_SHOP, NluSettings
from bot.shop_files import load_shop
from bot.web.app import build_web_app
from nlu.language import LanguageDetector
from nlu.rasa_http import RasaHttpBackend
from nlu.types import FALLBACK_INTENT
from tests.conftest import make_settings
from tests.fakes import FakeClock
from tests.loopback import serve

SAMPLES = [
    ("how much is the laptop", "en"),
    ("where is my order", "en"),
    ("cuánto cuesta el portátil", "es"),
    ("dónde está mi pedido", "es"),
    ("quanto costa il portatile", "it"),
    ("dov'è il mio ordine", "it"),
]

GOOD_ANSWER = {
    "text": "quanto costa il MacBook Air?",
    "intent": {"name": "ask_price", "confidence": 0.93},
    "entities": [
        {
            "entity": "product",
            "start": 16,
            "end": 27,
            "value": "macbook-air-m2",
            "confidence_entity": 0.98,
            "extractor": "DIETClassifier",
        }
    ],
    "intent_ranking": [
        {"name": "ask_price", "confidence": 0.93},
        {"name": "ask_stock", "confidence": 0.05},
    ],
}


@dataclass
class FakeRasa:
    """Answers ``POST /model/parse`` with whatever ``reply`` returns; records requests."""

    reply: Callable[[], web.StreamResponse | Any] = lambda: web.json_response(GOOD_ANSWER)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)

    async def parse(self, request: web.Request) -> web.StreamResponse:
        self.requests.append({"body": await request.json(), "query": dict(request.query)})
        self.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.reply()


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector.train(SAMPLES)


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/model/parse", fake.parse)
    runner, url = await serve(app)
    yield fake, f"{url}/"
    await runner.cleanup()


async def test_good_answer_is_mapped_to_an_interpretation(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    async with RasaHttpBackend(url, detector=detector, token="s3cret") as backend:
        result = await backend.parse("quanto costa il MacBook Air?", "en")
    assert result.available
    assert (result.intent.name, result.intent.confidence) == ("ask_price", 0.93)
    assert [s.name for s in result.intent_ranking] == ["ask_price", "ask_stock"]
    (entity,) = result.entities
    assert (entity.value, entity.text, entity.confidence) == ("macbook-air-m2", "MacBook Air", 0.98)
    assert result.language == "it"  # Rasa does not detect it; the text does
    assert fake.requests == [
        {"body": {"text": "quanto costa il MacBook Air?"}, "query": {"token": "s3cret"}}
    ]


async def test_answer_without_intent_is_a_fallback(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    fake.reply = lambda: web.json_response({"text": "x", "intent": None, "entities": []})
    async with RasaHttpBackend(url, detector=detector) as backend:
        result = await backend.parse("hmm", "es")
    assert result.available
    assert result.intent.name == FALLBACK_INTENT
    assert result.language == "es"


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (lambda: web.Response(status=500, text="boom"), "HTTP 500"),
        (lambda: web.Response(text="<html>not json</html>"), "not JSON"),
        (lambda: web.json_response(["a", "list"]), "not a JSON object"),
        (
            lambda: web.json_response({"intent": {"name": "x"}, "entities": [{}]}),
            "not a /model/parse",
        ),
    ],
)
async def test_server_errors_and_bad_answers_make_it_unavailable(
    detector: LanguageDetector,
    rasa: tuple[FakeRasa, str],
    caplog: pytest.LogCaptureFixture,
    reply: Callable[[], web.StreamResponse],
    error: str,
) -> None:
    fake, url = rasa
    fake.reply = reply
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
        async with RasaHttpBackend(url, detector=detector) as backend:
            result = await backend.parse("where is my order", "it")
    assert not result.available
    assert result.is_fallback
    assert error in result.error
    assert result.language == "en"
    assert "unavailable" in caplog.text


async def test_timeout_makes_it_unavailable(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    fake.delay = 1.0
    async with RasaHttpBackend(url, timeout=0.1, detector=detector) as backend:
        result = await backend.parse("where is my order")
    assert not result.available
    assert "timed out" in result.error


async def test_connection_refused_makes_it_unavailable(
    detector: LanguageDetector, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}"
    async with RasaHttpBackend(url, timeout=2, detector=detector) as backend:
        result = await backend.parse("where is my order")
    assert not result.available
    assert result.error


async def test_known_payloads_and_empty_text_need_no_server(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    async with RasaHttpBackend(url, detector=detector, intents=["greet"]) as backend:
        payload = await backend.parse("/greet", "es")
        empty = await backend.parse("  ", "es")
    assert (payload.intent.name, payload.intent.confidence) == ("greet", 1.0)
    assert (empty.intent.name, empty.intent.confidence) == (FALLBACK_INTENT, 0.0)
    assert backend.intents == {"greet"}
    assert fake.requests == []


async def test_without_a_detector_the_packaged_training_data_detects_languages(
    rasa: tuple[FakeRasa, str],
) -> None:
    _, url = rasa
    async with RasaHttpBackend(url) as backend:
        result = await backend.parse("quanto costa il MacBook Air?")
    assert (result.language, result.intent.name) == ("it", "ask_price")


async def test_messages_reuse_one_pooled_connection(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    async with RasaHttpBackend(url, detector=detector) as backend:
        results = [await backend.parse(text) for text, _ in SAMPLES]
    assert all(r.available and r.backend == "rasa" for r in results)
    assert len(fake.peers) == len(SAMPLES)
    assert len(set(fake.peers)) == 1


async def test_the_composition_root_falls_back_to_the_embedded_classifier(
    rasa: tuple[FakeRasa, str], tmp_path: Path
) -> None:
    fake, url = rasa
    metrics = CollectorRegistry()
    settings = NluSettings(_env_file=None, backend="rasa", rasa_url=url, cache_dir=tmp_path)
    backend = await build_nlu(settings, load_shop(DEMO_SHOP), metrics)
    try:
        served = await backend.parse("quanto costa il MacBook Air?")
        fake.reply = lambda: web.Response(status=503, text="loading")
        fallen_back = await backend.parse("where is my order?")
    finally:
        await backend.aclose()  # type: ignore[attr-defined]
    assert (served.intent.name, served.backend) == ("ask_price", "rasa")
    assert (fallen_back.intent.name, fallen_back.backend) == ("order_status", "embedded")
    assert fallen_back.available
    fallbacks = metrics.get_sample_value("journeybot_nlu_fallbacks_total", {"backend": "rasa"})
    assert fallbacks == 1


async def test_the_metrics_page_counts_the_messages_rasa_could_not_take(
    rasa: tuple[FakeRasa, str], tmp_path: Path
) -> None:
    fake, url = rasa
    fake.reply = lambda: web.Response(status=503, text="loading")
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", tmp_path)
    nlu = settings.nlu.model_copy(update={"backend": "rasa", "rasa_url": url})
    services = await build_services(
        settings.model_copy(update={"nlu": nlu}), clock=FakeClock(), migrate=True
    )
    async with TestClient(TestServer(build_web_app(services))) as client:
        answered = await client.post(
            "/webhooks/rest/webhook", json={"sender": "ann", "message": "where is my order?"}
        )
        page = await client.get("/metrics")
        exposed = await page.text()
    await services.aclose()

    assert answered.status == 200
    assert page.status == 200
    assert page.content_type == "text/plain"
    assert 'journeybot_nlu_fallbacks_total{backend="rasa"} 1.0' in exposed


async def test_a_product_name_tagged_word_by_word_is_one_entity(
    detector: LanguageDetector, rasa: tuple[FakeRasa, str]
) -> None:
    fake, url = rasa
    text = "how much is the Dell XPS 13 and the mouse"
    tagged = [("Dell", 16, 20), ("XPS 13", 21, 27), ("mouse", 36, 41)]
    entities = [{"entity": "product", "start": a, "end": b, "value": v} for v, a, b in tagged]
    fake.reply = lambda: web.json_response(
        {"text": text, "intent": {"name": "ask_price", "confidence": 0.9}, "entities": entities}
    )
    async with RasaHttpBackend(url, detector=detector) as backend:
        result = await backend.parse(text)
    assert [(e.value, e.start, e.end) for e in result.entities] == [
        ("Dell XPS 13", 16, 27),
        ("mouse", 36, 41),
    ]
