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

from playwright.async_api import Browser, Locator, Page, expect

from bot.app import Services

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
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


async def open_shop(browser: Browser, site: Site, viewport: dict[str, int] = DESKTOP) -> Page:
    page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(site.shop_url)
    await expect(page.locator(".jb-launcher")).to_be_visible()
    page.errors = errors  # type: ignore[attr-defined]
    return page


async def open_widget(page: Page) -> None:
    await page.locator(".jb-launcher").click()
    await expect(page.locator(".jb-panel")).to_be_visible()


async def say(page: Page, text: str) -> None:
    await page.locator(".jb-input").fill(text)
    await page.locator(".jb-send").click()


async def greeted(browser: Browser, site: Site) -> Page:
    """The shop page with the widget open, after the customer said hello and got an answer."""
    page = await open_shop(browser, site)
    await open_widget(page)
    await say(page, "hello")
    await expect(bot_messages(page)).to_have_count(2)
    return page


def bot_messages(page: Page) -> Locator:
    """The bot's messages in the widget."""
    return page.locator(".jb-msg.jb-from-bot")
