"""The `journeybot` command line as a user runs it: chat in a terminal, list touchpoints,
parse a text, serve over HTTP. Each test runs the real console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

JOURNEYBOT = [sys.executable, "-m", "bot"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("cli")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYBOT_")}
    clean.update(
        JOURNEYBOT_DATABASE_URL=f"sqlite:///{home / 'cli.db'}",
        JOURNEYBOT_NLU_CACHE_DIR=str(home / "nlu-cache"),
        JOURNEYBOT_LOG_LEVEL="WARNING",
    )
    return clean


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*JOURNEYBOT, *args], input=stdin, env=env, capture_output=True, text=True, timeout=180
    )


def test_db_upgrade_then_chat_then_touchpoints_as_json(env: dict[str, str]) -> None:
    upgraded = run(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "up to date" in upgraded.stdout

    chat = run(env, "chat", "--sender", "tess", stdin="hello\nhow much is the XPS 13?\n1\n/quit\n")
    assert chat.returncode == 0, chat.stderr
    assert "bot>" in chat.stdout
    assert "1,299.00" in chat.stdout  # the XPS 13's price, in English formatting
    assert "[1]" in chat.stdout  # buttons are numbered and can be pressed by number

    listed = run(env, "touchpoints", "--customer", "tess", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["text"] for r in rows][:2] == ["hello", "how much is the XPS 13?"]
    assert len(rows) == 3  # the button press is a touchpoint too
    required = {"sender", "channel", "text", "intent", "confidence", "language"}
    required |= {"stage_before", "stage_after", "answered_by", "created_at"}
    assert required <= set(rows[0])
    assert rows[1]["intent"] == "ask_price"
    assert rows[1]["stage_after"] == "consideration"
    assert {r["sender"] for r in rows} == {"tess"}
    assert {r["channel"] for r in rows} == {"terminal"}


def test_nlu_parse_prints_rasa_shaped_json(env: dict[str, str]) -> None:
    parsed = run(env, "nlu", "parse", "¿cuánto cuesta el MacBook Air?")
    assert parsed.returncode == 0, parsed.stderr
    body = json.loads(parsed.stdout)
    assert set(body) >= {"text", "intent", "entities", "intent_ranking", "language"}
    assert body["intent"]["name"] == "ask_price"
    assert body["language"] == "es"
    assert body["entities"][0]["entity"] == "product"


def test_bad_configuration_is_refused_with_the_variable_named(env: dict[str, str]) -> None:
    bad = dict(env, JOURNEYBOT_PORT="not-a-port")
    result = run(bad, "touchpoints")
    assert result.returncode == 2
    assert "port" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_http(env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    served = dict(env, JOURNEYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*JOURNEYBOT, "serve", "--port", str(port)], env=served, stdout=out, stderr=out
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as resp:
                    assert json.load(resp)["status"] == "ok"
                    break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        body = json.dumps({"sender": "web-1", "message": "ciao, quanto costa lo Zenbook?"})
        request = urllib.request.Request(
            f"{base}/webhooks/rest/webhook",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            answers = json.load(resp)
        assert answers[0]["recipient_id"] == "web-1"
        assert "€" in answers[0]["text"]  # an Italian price answer from the catalogue
        with urllib.request.urlopen(f"{base}/", timeout=5) as resp:
            assert "chat" in resp.read().decode().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode in (0, -15)


def test_users_are_added_with_a_role_and_refused_twice_or_with_a_short_password(
    env: dict[str, str],
) -> None:
    assert run(env, "db", "upgrade").returncode == 0
    added = run(env, "users", "add", "marta", "--role", "agent", "--password-stdin",
                stdin="correct horse battery\n")  # fmt: skip
    again = run(env, "users", "add", "marta", "--role", "admin", "--password-stdin",
                stdin="correct horse battery\n")  # fmt: skip
    short = run(env, "users", "add", "luca", "--role", "agent", "--password-stdin", stdin="short\n")
    listed = run(env, "users", "list")

    assert (added.returncode, added.stdout.strip()) == (
        0,
        "marta can now log in as agent at /console",
    )
    assert (again.returncode, again.stdout.strip()) == (
        1,
        "journeybot: a user called 'marta' (or with that Telegram id) exists",
    )
    assert short.returncode == 1
    assert "at least 10 characters" in short.stdout
    assert "marta" in listed.stdout and "agent" in listed.stdout and "luca" not in listed.stdout


def test_tokens_exports_and_the_report_from_the_command_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade").returncode == 0
    run(env, "chat", "--sender", "zoe", stdin="hello\nhow much is the XPS 13?\n/quit\n")
    token = run(env, "tokens", "add", "dashboard", "--role", "marketer")
    as_csv = run(env, "export", "touchpoints", "--format", "csv", "--no-text")
    parquet = tmp_path / "touchpoints.parquet"
    as_parquet = run(env, "export", "touchpoints", "--format", "parquet", "--out", str(parquet))
    html = tmp_path / "report.html"
    shown = run(env, "report", "--since", "7d", "--html", str(html))

    assert token.returncode == 0 and len(token.stdout.strip()) >= 40
    header, *rows = as_csv.stdout.splitlines()
    assert header.startswith("id,created_at,customer,channel") and "text" not in header
    assert len(rows) >= 2 and "zoe" not in as_csv.stdout
    assert as_parquet.returncode == 0, as_parquet.stdout + as_parquet.stderr
    import pyarrow.parquet as pq

    assert pq.read_table(parquet).num_rows == len(rows)
    assert shown.returncode == 0, shown.stderr
    assert "Funnel" in shown.stdout and "awareness" in shown.stdout
    assert "<caption>Funnel</caption>" in html.read_text()
