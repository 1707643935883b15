"""One typed settings object, read from the environment / ``.env`` on demand.

Every variable starts with ``JOURNEYBOT_``; each group reads its own prefix, e.g.
``JOURNEYBOT_TELEGRAM_TOKEN`` is ``Settings().telegram.token``. Tests build
``Settings(...)`` directly instead of mutating the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_SHOP = Path(__file__).parent / "content" / "demo_shop"
PLACEHOLDER_SECRETS = frozenset({"changethis", "changeme", "secret", ""})


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )


class DatabaseSettings(BaseSettings):
    """``JOURNEYBOT_DATABASE_*``"""

    model_config = _config("JOURNEYBOT_DATABASE_")
    url: str = Field(
        "sqlite+aiosqlite:///var/journeybot.db",
        description="SQLAlchemy URL; sqlite:///path or postgresql://user:pw@host/db",
    )
    migrate_on_start: bool = Field(True, description="Run migrations when the service starts")


class NluSettings(BaseSettings):
    """``JOURNEYBOT_NLU_*``"""

    model_config = _config("JOURNEYBOT_NLU_")
    backend: Literal["embedded", "rasa"] = Field("embedded", description="embedded or rasa")
    data: Path = Field(Path(__file__).parent.parent / "nlu" / "data", description="Training data")
    cache_dir: Path = Field(Path("var/nlu-cache"), description="Where trained models are kept")
    threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Below this top confidence the intent is nlu_fallback; unset: the rule "
        "chosen from the training data and stored with the model",
    )
    rasa_url: str = Field("http://localhost:5005", description="Rasa server, for backend=rasa")
    rasa_timeout: float = Field(5.0, gt=0, description="Seconds to wait for the Rasa server")


class TelegramSettings(BaseSettings):
    """``JOURNEYBOT_TELEGRAM_*``"""

    model_config = _config("JOURNEYBOT_TELEGRAM_")
    token: SecretStr | None = Field(None, description="Bot token from @BotFather; off when unset")
    webhook_secret: SecretStr | None = Field(
        None, description="secret_token Telegram sends back; required with a public URL"
    )
    api_url: str | None = Field(None, description="Bot API server (default: Telegram's)")
    staff_chat: int | None = Field(
        None,
        description="A forum supergroup (its chat id) where each handed-off conversation gets "
        "a topic that agents can answer from; unset: the console only",
    )


class WebSettings(BaseSettings):
    """``JOURNEYBOT_*`` for the HTTP service."""

    model_config = _config("JOURNEYBOT_")
    host: str = Field("127.0.0.1", description="Address to listen on")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on")
    public_url: str | None = Field(
        None, description="Public https URL of this service; turns on the Telegram webhook"
    )
    rest_token: SecretStr | None = Field(
        None, description="Bearer token the REST channel requires (set it in production)"
    )
    secret: SecretStr | None = Field(
        None,
        description="Key that signs widget session tokens (unset: a random key at each start, "
        "so widget conversations restart with the service; required in production)",
    )
    allowed_origins: str = Field(
        "",
        description="Comma-separated origins (https://shop.example.com) whose pages may "
        "embed the widget, besides this service's own; * allows any",
    )
    events_secret: SecretStr | None = Field(
        None,
        description="Shared secret of the HMAC-SHA256 signature on POST /api/events "
        "(unset: the endpoint is off)",
    )
    shopify_secret: SecretStr | None = Field(
        None, description="The Shopify app's secret that signs its webhooks (unset: off)"
    )
    woocommerce_secret: SecretStr | None = Field(
        None, description="The WooCommerce webhooks' secret (unset: off)"
    )
    widget_rate: int = Field(20, ge=1, description="Widget messages per minute per session")
    widget_burst: int = Field(5, ge=1, description="Widget messages a session may send at once")

    @property
    def base_url(self) -> str:
        """Where customers reach this service: ``public_url``, else host and port."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def origins(self) -> list[str]:
        """``allowed_origins`` as a list."""
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


class Settings(BaseSettings):
    """Everything the service needs; build with ``Settings()`` to read the environment."""

    model_config = _config("JOURNEYBOT_")
    environment: Literal["development", "production"] = Field(
        "development", description="production refuses placeholder secrets"
    )
    shop_dir: Path = Field(DEMO_SHOP, description="Journey map, replies and catalogue files")
    log_level: str = Field("INFO", description="Python logging level")
    outbox_interval: float = Field(1.0, gt=0, description="Seconds between outbox retry sweeps")
    follow_up_interval: float = Field(
        30.0, gt=0, description="Seconds between sweeps for due follow-ups"
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nlu: NluSettings = Field(default_factory=NluSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @model_validator(mode="after")
    def check_consistent(self) -> Self:
        """A webhook needs a secret; production refuses placeholder secrets."""
        tg, web = self.telegram, self.web
        if tg.token is not None and web.public_url and tg.webhook_secret is None:
            raise ValueError(
                "JOURNEYBOT_PUBLIC_URL is set, so Telegram uses a webhook: "
                "set JOURNEYBOT_TELEGRAM_WEBHOOK_SECRET too"
            )
        if web.public_url and not web.public_url.startswith("https://"):
            raise ValueError(
                f"JOURNEYBOT_PUBLIC_URL must start with https://, got {web.public_url!r}"
            )
        if self.environment == "production":
            if web.secret is None:
                raise ValueError("set JOURNEYBOT_SECRET: it signs the widget's session tokens")
            for name, secret in (
                ("JOURNEYBOT_TELEGRAM_WEBHOOK_SECRET", tg.webhook_secret),
                ("JOURNEYBOT_REST_TOKEN", web.rest_token),
                ("JOURNEYBOT_SECRET", web.secret),
                ("JOURNEYBOT_EVENTS_SECRET", web.events_secret),
            ):
                if secret is not None and secret.get_secret_value() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"{name} is a placeholder; choose a real secret")
        if tg.webhook_secret is not None and not _valid_webhook_secret(
            tg.webhook_secret.get_secret_value()
        ):
            raise ValueError(
                "JOURNEYBOT_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of "
                "A-Z, a-z, 0-9, _ or -"
            )
        return self


def _valid_webhook_secret(value: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 0 < len(value) <= 256 and set(value) <= allowed
