"""The Rasa backend against a real Rasa 3.6 server (``scripts/rasa-server.sh``).

The first run creates Rasa's environment and trains on nlu/data (a few minutes: DIET runs
``EPOCHS`` epochs here, which these messages need, instead of the benchmark's 100); both are
cached outside the clone, so later runs start the server in well under a minute. The tests
skip only where no Python 3.10 exists, which Rasa 3.6 needs.
"""

from __future__ import annotations

import logging
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Services, build_services
from bot.settings import NluSettings
from bot.web.app import build_web_app
from nlu.rasa_http import RasaHttpBackend
from tests.conftest import make_settings
from tests.fakes import FakeClock

pytestmark = pytest.mark.rasa

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rasa-server.sh"
NO_PYTHON_310 = 3
"""The exit status of ``rasa-server.sh setup`` when no Python 3.10 exists."""
EPOCHS = 15
"""DIET's epochs for the test model: its training accuracy is above 0.99 by then."""

SHOP_MESSAGES = [
    ("how much is the Dell XPS 13?", "ask_price"),
    ("where is my order?", "order_status"),
    ("do you ship to Ireland?", "ask_shipping"),
    ("¿cuánto cuesta el MacBook Air?", "ask_price"),
    ("¿dónde está mi pedido?", "order_status"),
    ("quiero devolver el portátil", "return_request"),
    ("quanto costa il ThinkPad X1 Carbon?", "ask_price"),
    ("dov'è il mio ordine?", "order_status"),
    ("ciao!", "greet"),
]


@dataclass(frozen=True)
class RasaServer:
    """A trained model and the loopback port its server runs on."""

    model: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        _script("start", "--port", str(self.port), "--model", self.model)

    def stop(self) -> None:
        _script("stop", "--port", str(self.port))


def _script(*args: str) -> str:
    done = subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode == NO_PYTHON_310 and args[0] == "setup":
        pytest.skip(done.stderr.strip().splitlines()[-1])
    if done.returncode != 0:
        pytest.fail(f"rasa-server.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[RasaServer]:
    """Rasa's environment and a model of nlu/data; the server is stopped at the end."""
    _script("setup")
    server = RasaServer(model=_script("train", "--epochs", str(EPOCHS)), port=_free_port())
    yield server
    server.stop()


@pytest.fixture
def rasa(rasa_server: RasaServer) -> RasaServer:
    """The server, running (started again if a test stopped it)."""
    rasa_server.start()
    return rasa_server


@pytest.mark.parametrize(("text", "intent"), SHOP_MESSAGES)
async def test_rasa_understands_shop_messages_in_three_languages(
    rasa: RasaServer, text: str, intent: str
) -> None:
    async with RasaHttpBackend(rasa.url, timeout=30) as backend:
        result = await backend.parse(text)
    assert result.available, result.error
    assert (result.intent.name, result.backend) == (intent, "rasa")
    assert result.intent_ranking[0].name == intent


@dataclass
class Bot:
    """The service built with ``backend=rasa``, reached through its REST channel."""

    client: TestClient[web.Request, web.Application]
    services: Services

    async def ask(self, sender: str, text: str) -> tuple[list[str], str | None]:
        """The answers' texts and the intent logged in the touchpoint."""
        resp = await self.client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        assert resp.status == 200
        answers = [a["text"] for a in await resp.json()]
        async with self.services.uow() as uow:
            last = (await uow.queries.touchpoints(sender=sender))[-1]
        return answers, last.intent

    def fallbacks(self) -> float:
        """How many messages the embedded fallback answered."""
        value = self.services.metrics.get_sample_value(
            "journeybot_nlu_fallbacks_total", {"backend": "rasa"}
        )
        return value or 0.0


@pytest.fixture
async def bot(
    rasa: RasaServer, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Bot]:
    database = f"sqlite+aiosqlite:///{tmp_path / 'journeybot.db'}"
    nlu = NluSettings(
        _env_file=None,
        backend="rasa",
        rasa_url=rasa.url,
        rasa_timeout=30,
        cache_dir=tmp_path_factory.getbasetemp() / "rasa-test-nlu-cache",
    )
    settings = make_settings(database, tmp_path).model_copy(update={"nlu": nlu})
    services = await build_services(settings, clock=FakeClock(), migrate=True)
    client = TestClient(TestServer(build_web_app(services)))
    await client.start_server()
    yield Bot(client, services)
    await client.close()
    await services.aclose()


async def test_the_service_answers_through_rasa_and_through_the_fallback_when_it_stops(
    bot: Bot, rasa: RasaServer, caplog: pytest.LogCaptureFixture
) -> None:
    answers, intent = await bot.ask("ann", "how much is the XPS 13?")
    assert intent == "ask_price"
    assert any("1,299" in a for a in answers), answers
    assert bot.fallbacks() == 0

    rasa.stop()
    with caplog.at_level(logging.WARNING, logger="nlu.fallback_backend"):
        answers, intent = await bot.ask("bea", "¿cuánto cuesta el MacBook Air?")
    assert intent == "ask_price"
    assert any("1.249" in a for a in answers), answers
    assert bot.fallbacks() == 1
    assert "rasa unavailable" in caplog.text
    exposed = await (await bot.client.get("/metrics")).text()
    assert 'journeybot_nlu_fallbacks_total{backend="rasa"} 1.0' in exposed
