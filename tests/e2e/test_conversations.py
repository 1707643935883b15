"""Scripted conversations in English, Spanish and Italian through the REST channel with the
real embedded NLU and the demo shop: the stage after each turn is what a marketer would expect.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_services
from bot.web.app import SERVICES, build_web_app
from nlu.embedded import EmbeddedBackend
from tests.conftest import make_settings
from tests.fakes import FakeClock

# (message, expected stage after it, a fragment the answer must contain or None)
SCRIPTS = {
    "en": [
        ("hi!", "awareness", None),
        ("what laptops do you sell?", "awareness", None),
        ("how much is the Dell XPS 13?", "consideration", "1,299"),
        ("and how much does shipping cost?", "consideration", None),
        ("ok I want to buy the XPS 13", "purchase", None),
        ("thanks a lot", "purchase", None),
    ],
    "es": [
        ("hola", "awareness", None),
        ("necesito un portátil ligero para viajar", "awareness", None),
        ("¿cuánto cuesta el MacBook Air?", "consideration", "1.249"),
        ("¿puedo devolverlo si no me gusta?", "consideration", None),
        ("vale, quiero comprar el MacBook Air", "purchase", None),
        ("gracias", "purchase", None),
    ],
    "it": [
        ("ciao", "awareness", None),
        ("che portatili vendete?", "awareness", None),
        ("quanto costa il ThinkPad X1 Carbon?", "consideration", "€"),
        ("quanto tempo ci vuole per la spedizione?", "consideration", None),
        ("voglio comprare il ThinkPad", "purchase", None),
        ("grazie mille", "purchase", None),
    ],
}


@pytest.fixture
async def client(
    embedded_nlu: EmbeddedBackend, tmp_path: Path, database_url: str
) -> AsyncIterator[TestClient]:
    services = await build_services(
        make_settings(database_url, tmp_path), nlu=embedded_nlu, clock=FakeClock()
    )
    client = TestClient(TestServer(build_web_app(services)))
    await client.start_server()
    yield client
    await client.close()
    await services.aclose()


@pytest.mark.parametrize("language", ["en", "es", "it"])
async def test_a_customer_walks_from_awareness_to_purchase(
    client: TestClient, language: str
) -> None:
    sender = f"walker-{language}"
    for text, stage, fragment in SCRIPTS[language]:
        resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
        assert resp.status == 200
        answers = await resp.json()
        assert answers, f"no answer to {text!r}"
        if fragment is not None:
            assert any(fragment in a["text"] for a in answers), (text, answers)
        services = client.server.app[SERVICES]
        async with services.uow() as uow:
            last = (await uow.queries.touchpoints(sender=sender))[-1]
        assert last.stage_after == stage, (text, last.intent, last.confidence)
        assert last.language == language, (text, last.language)
