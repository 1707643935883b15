"""Settings: environment names, defaults, and refusals that name the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings, TelegramSettings, WebSettings


def settings(**groups: object) -> Settings:
    return Settings(_env_file=None, **groups)  # type: ignore[call-arg, arg-type]


def test_variables_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("JOURNEYBOT_DATABASE_URL", "postgresql://u:p@db/journeybot")
    monkeypatch.setenv("JOURNEYBOT_PORT", "9000")
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.telegram.token is not None
    assert loaded.telegram.token.get_secret_value() == "123:abc"
    assert loaded.database.url == "postgresql://u:p@db/journeybot"
    assert loaded.web.port == 9000
    assert "123:abc" not in repr(loaded)  # secrets stay out of logs


def test_empty_variables_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_TELEGRAM_TOKEN", "")
    assert Settings(_env_file=None).telegram.token is None  # type: ignore[call-arg]


def test_defaults_are_the_embedded_ones() -> None:
    default = settings()
    assert default.database.url.startswith("sqlite+aiosqlite:///")
    assert default.nlu.backend == "embedded"
    assert default.web.port == 8000
    assert default.telegram.token is None


def test_a_public_url_with_telegram_needs_a_webhook_secret() -> None:
    with pytest.raises(ValidationError, match="JOURNEYBOT_TELEGRAM_WEBHOOK_SECRET"):
        settings(
            telegram=TelegramSettings(_env_file=None, token="1:x"),  # type: ignore[call-arg]
            web=WebSettings(_env_file=None, public_url="https://bot.example.com"),  # type: ignore[call-arg]
        )


def test_the_public_url_must_be_https() -> None:
    with pytest.raises(ValidationError, match="https://"):
        settings(web=WebSettings(_env_file=None, public_url="http://bot.example.com"))  # type: ignore[call-arg]


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="JOURNEYBOT_REST_TOKEN is a placeholder"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="production",
            web=WebSettings(_env_file=None, rest_token="changethis", secret="s" * 32),  # type: ignore[call-arg]
        )


def test_production_needs_the_widget_secret() -> None:
    with pytest.raises(ValidationError, match="set JOURNEYBOT_SECRET"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="production",
            web=WebSettings(_env_file=None),  # type: ignore[call-arg]
        )


def test_allowed_origins_are_a_comma_separated_list() -> None:
    web = WebSettings(_env_file=None, allowed_origins=" https://a.example, https://b.example ,")  # type: ignore[call-arg]
    assert web.origins == ["https://a.example", "https://b.example"]


def test_webhook_secret_must_use_telegrams_alphabet() -> None:
    with pytest.raises(ValidationError, match="A-Z, a-z, 0-9"):
        settings(telegram=TelegramSettings(_env_file=None, webhook_secret="has spaces!"))  # type: ignore[call-arg]
