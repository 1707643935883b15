"""Widget sessions: signed tokens, allowed origins and a per-session rate limit.

The widget gets a token from ``POST /widget/session`` and shows it on every connection. The
token is the session id (and the shop's customer or cart reference) signed with the
service's secret, so nobody can speak as another customer by guessing an id. Browsers send
``Origin`` with both requests; only the service's own origin and the configured ones may
use the widget. Each session may send ``burst`` messages at once, then one per
``60 / per_minute`` seconds.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_MAX_AGE = 30 * 24 * 3600
"""Seconds a token stays valid; the widget gets a fresh one each time it starts."""


def valid_timezone(name: object) -> bool:
    """True for an IANA time zone name this machine knows (``Europe/Rome``)."""
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def new_session_id() -> str:
    """A random, unguessable session id."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True, slots=True)
class WidgetSession:
    """Who a token speaks for: the session id and the shop's reference, if it gave one."""

    session_id: str
    ref: str | None = None
    timezone: str | None = None


class SessionSigner:
    """Issues and checks widget tokens with the service's secret."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="journeybot.widget-session")

    def issue(
        self, ref: str | None = None, session_id: str | None = None, timezone: str | None = None
    ) -> str:
        """A token for ``session_id`` (a new random one when None)."""
        return self._serializer.dumps(
            {"s": session_id or new_session_id(), "r": ref, "z": timezone}
        )

    def check(self, token: str) -> WidgetSession | None:
        """The session of a valid, unexpired token; None otherwise."""
        try:
            data = self._serializer.loads(token, max_age=TOKEN_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str):
            return None
        ref, zone = data.get("r"), data.get("z")
        return WidgetSession(
            data["s"],
            ref if isinstance(ref, str) else None,
            zone if isinstance(zone, str) else None,
        )


def origin_allowed(origin: str | None, host: str, allowed: Iterable[str]) -> bool:
    """True for no ``Origin`` (not a browser), the service's own host, or an allowed origin.

    ``allowed`` holds origins such as ``https://shop.example.com``; ``*`` allows any.
    """
    if origin is None:
        return True
    wanted = {a.rstrip("/") for a in allowed}
    return "*" in wanted or origin.rstrip("/") in wanted or urlsplit(origin).netloc == host


class RateLimiter:
    """A token bucket per session: ``burst`` messages at once, ``per_minute`` sustained."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Spend one message of ``key``: 0 when allowed, else the seconds until it would be."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 100_000:  # forget sessions that have been quiet
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        for key, (tokens, then) in list(self._buckets.items()):
            if tokens + (now - then) * self.rate >= self.burst:
                del self._buckets[key]


@dataclass(frozen=True)
class WidgetGate:
    """What the widget's endpoints check: tokens, origins and the rate limit."""

    signer: SessionSigner
    limiter: RateLimiter
    origins: tuple[str, ...] = ()

    def origin_allowed(self, origin: str | None, host: str) -> bool:
        """``origin_allowed`` with the configured origins."""
        return origin_allowed(origin, host, self.origins)
