"""HMAC-SHA256 signatures of a request's raw body, as shops' webhooks send them.

journeybot's own header is ``X-Journeybot-Signature: sha256=<hex digest>`` of the exact
bytes of the body under the shared secret (``JOURNEYBOT_EVENTS_SECRET``).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Journeybot-Signature"


def sign(secret: str, body: bytes) -> str:
    """The header value for ``body``: ``sha256=`` and the hex digest."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` (compared in constant time)."""
    return header is not None and hmac.compare_digest(sign(secret, body), header.strip())
