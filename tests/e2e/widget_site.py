"""The widget on a shop page served from another origin (the ``site`` fixture's parts).

Two loopback servers: journeybot (the real app, embedded NLU, SQLite) and a "shop" that
serves a page with the widget's one script tag under a strict Content-Security-Policy that
allows only journeybot's origin. Playwright drives Debian's Chromium (``/usr/bin/chromium``
or ``$JOURNEYBOT_CHROMIUM``); without it these tests skip and say so.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.app import Services

ARTIFACTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or the one ``JOURNEYBOT_CHROMIUM`` names."""
    return os.environ.get("JOURNEYBOT_CHROMIUM") or shutil.which("chromium")


SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src {bot};
 style-src 'self' {bot}; connect-src {bot} {ws}; img-src 'self' data:">
<link rel="stylesheet" href="/shop.css">
<title>Laptop Corner</title></head>
<body><h1>Laptop Corner</h1><p>Our best laptops.</p>
<script src="{bot}/widget.js" async data-title="Laptop Corner" data-lang="en"
 data-ref="cart-8812" data-greeting="Hi! Ask me about any laptop."></script>
</body></html>
"""


EVENTS_SECRET = "shop-events-secret"
"""The secret the shop signs its commerce events with."""

SHOP_CSS = """
h1 { color: rgb(255, 0, 0); }
button, div, p, li { background: rgb(0, 128, 0) !important; font-family: serif !important; }
"""
"""The shop's own styles, aggressive on purpose: none of them may reach the widget."""


@dataclass
class Site:
    """The running bot and the shop page that embeds it."""

    services: Services
    bot_url: str
    shop_url: str
