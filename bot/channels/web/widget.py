"""The widget's HTTP side: its script and stylesheet, and ``POST /widget/session``.

The two files are read and gzip-compressed once, then served with an ``ETag`` and an hour
of caching, so a shop page costs one small, usually cached, request. ``/widget/session``
answers the shop's origins only (CORS); a body of ``{"token", "ref", "lang"}`` gets back
``{"token", "session"}``: the same session for a still-valid token, else a new one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.web.rest import read_json_object
from bot.channels.web.sessions import WidgetGate, new_session_id, valid_timezone

MAX_REF_LENGTH = 200
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Asset:
    """A static file held in memory, plain and gzipped."""

    body: bytes
    gzipped: bytes
    content_type: str
    etag: str

    @classmethod
    def load(cls, path: Path, content_type: str) -> Asset:
        """Read and compress ``path``."""
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, gzip.compress(body, 9, mtime=0), content_type, f'"{digest}"')

    def response(self, request: web.Request) -> web.Response:
        """The file, gzipped when the client accepts it; 304 when its copy is current."""
        headers = {
            "ETag": self.etag,
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers=headers)
        body = self.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = self.gzipped, "gzip"
        return web.Response(body=body, headers=headers, content_type=self.content_type)


def asset_handler(asset: Asset) -> Any:
    """A GET handler serving ``asset``."""

    async def handler(request: web.Request) -> web.Response:
        return asset.response(request)

    return handler


def _cors(request: web.Request) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if origin is None:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def session_handlers(gate: WidgetGate) -> tuple[Any, Any]:
    """The ``POST`` and ``OPTIONS`` (CORS preflight) handlers of ``/widget/session``."""

    def check_origin(request: web.Request) -> None:
        if not gate.origin_allowed(request.headers.get("Origin"), request.host):
            raise web.HTTPForbidden(
                text=json.dumps({"error": "this site may not use the chat widget"}),
                content_type="application/json",
            )

    async def preflight(request: web.Request) -> web.Response:
        check_origin(request)
        headers = {
            **_cors(request),
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "86400",
        }
        return web.Response(status=204, headers=headers)

    async def create(request: web.Request) -> web.Response:
        check_origin(request)
        body = await read_json_object(request)
        token, ref, zone = body.get("token"), body.get("ref"), body.get("tz")
        if token is not None and not isinstance(token, str):
            raise _bad_request('"token" must be a string or null')
        if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
            raise _bad_request(f'"ref" must be a string of at most {MAX_REF_LENGTH} characters')
        known = gate.signer.check(token) if token else None
        if known is not None and ref is None:
            ref = known.ref
        session_id = known.session_id if known is not None else new_session_id()
        issued = gate.signer.issue(ref, session_id, zone if valid_timezone(zone) else None)
        return web.json_response({"token": issued, "session": session_id}, headers=_cors(request))

    return create, preflight


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")
