"""The widget as a customer uses it, in headless Chromium on a shop page of another origin.

Each test opens the shop page (strict CSP: only journeybot's origin may load scripts,
styles and sockets) and talks to the real service (embedded NLU, SQLite). Screenshots of
the open widget at desktop and phone sizes are saved in reports/screenshots/.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import aiohttp
from playwright.async_api import Browser, expect
from sqlalchemy import select

from bot.commerce.signature import HEADER, sign
from storage import tables as t
from storage.records import NewOutbound
from tests.e2e.widget_site import (
    ARTIFACTS,
    EVENTS_SECRET,
    PHONE,
    Site,
    bot_messages,
    greeted,
    open_shop,
    open_widget,
    say,
)


async def visitor(site: Site) -> str:
    """The widget session id of the one customer who has spoken."""
    async with site.services.uow() as uow:
        [row] = await uow.queries.touchpoints(limit=1)
    return row.sender


async def push(site: Site, text: str, attachment: dict[str, Any] | None = None) -> None:
    """A message from the shop's side (an agent or a follow-up) to the only web customer."""
    async with site.services.uow() as uow:
        [row] = await uow.queries.touchpoints(limit=1)
        assert row.conversation_id is not None
        await uow.messages.add_outbound(
            conversation_id=row.conversation_id,
            customer_id=row.customer_id,
            channel="web",
            recipient_id=row.sender,
            messages=[NewOutbound(text, answered_by="agent", attachment=attachment)],
            in_reply_to=None,
            status="pending",
            now=site.services.clock(),
        )
        await uow.commit()
    await site.services.outbox.deliver_due()


async def test_a_customer_asks_a_price_and_presses_a_quick_reply(
    browser: Browser, site: Site
) -> None:
    page = await open_shop(browser, site)
    await open_widget(page)
    await expect(page.locator(".jb-msg").first).to_contain_text("Ask me about any laptop")
    await say(page, "how much is the XPS 13?")

    await expect(bot_messages(page).last).to_contain_text("€1,299.00")
    quick = page.locator(".jb-quick").first
    title = await quick.inner_text()
    await quick.click()
    await expect(page.locator(".jb-from-customer .jb-text").last).to_have_text(title)
    await expect(bot_messages(page)).to_have_count(3)  # greeting, price, the quick reply's
    # the widget leaves the shop's styles alone, and the shop's do not reach the widget
    assert await page.evaluate("getComputedStyle(document.querySelector('h1')).color") == (
        "rgb(255, 0, 0)"
    )
    launcher = await page.locator(".jb-launcher").evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).fontFamily]"
    )
    assert launcher[0] != "rgb(0, 128, 0)" and launcher[1] != "serif", launcher
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "widget-desktop.png")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_the_visitors_time_zone_reaches_the_bot(browser: Browser, site: Site) -> None:
    context = await browser.new_context(timezone_id="America/New_York")
    page = await context.new_page()
    await page.goto(site.shop_url)
    await open_widget(page)
    await say(page, "hello")
    await expect(bot_messages(page)).to_have_count(2)
    await context.close()

    async with site.services.uow() as uow:
        zones = await uow.session.execute(select(t.Customer.timezone))
        assert [z for (z,) in zones] == ["America/New_York"]


async def test_a_comparison_is_a_real_table_and_the_phone_layout_fills_the_screen(
    browser: Browser, site: Site
) -> None:
    page = await open_shop(browser, site, PHONE)
    await open_widget(page)
    await say(page, "compare the XPS 13 and the MacBook Air")

    table = page.locator(".jb-table").last
    await expect(table).to_contain_text("Dell XPS 13")
    await expect(table).to_contain_text("€1,249.00")
    box = await page.locator(".jb-panel").bounding_box()
    assert box is not None and box["width"] >= PHONE["width"] - 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "widget-phone.png")


async def test_a_recommendation_shows_product_cards_whose_links_open_a_new_tab(
    browser: Browser, site: Site
) -> None:
    page = await open_shop(browser, site)
    await open_widget(page)
    await say(page, "a light laptop for travel under 900€")

    cards = page.locator(".jb-card")
    await expect(cards).to_have_count(3)
    await expect(cards.first).to_contain_text("Acer Swift Go 14")
    await expect(cards.first).to_contain_text("€849.00")
    link = cards.first.locator("a")
    assert await link.get_attribute("target") == "_blank"
    assert "noopener" in (await link.get_attribute("rel") or "")


async def test_the_history_comes_back_after_a_reload(browser: Browser, site: Site) -> None:
    page = await open_shop(browser, site)
    await open_widget(page)
    await say(page, "do you ship to Ireland?")
    await expect(bot_messages(page)).to_have_count(2)
    before = await page.locator(".jb-msg .jb-text").all_inner_texts()

    await page.reload()
    await open_widget(page)

    await expect(page.locator(".jb-from-customer .jb-text")).to_have_text(
        ["do you ship to Ireland?"]
    )
    await expect(bot_messages(page)).to_have_count(1)  # the answer; the greeting is not stored
    after = await page.locator(".jb-msg .jb-text").all_inner_texts()
    assert after == before[1:]  # the same conversation, without the greeting


async def test_a_pushed_message_arrives_live_with_an_unread_badge(
    browser: Browser, site: Site
) -> None:
    page = await greeted(browser, site)
    await page.keyboard.press("Escape")
    await expect(page.locator(".jb-panel")).to_be_hidden()

    await push(site, "Hi, this is Marta from the support team.")

    await expect(page.locator(".jb-badge")).to_have_text("1")
    await open_widget(page)
    agent = page.locator(".jb-msg.jb-from-agent")
    await expect(agent).to_contain_text("Marta")
    await expect(agent.locator(".jb-agent-label")).to_be_visible()
    await expect(page.locator(".jb-badge")).to_be_hidden()


async def test_asked_for_a_rating_the_customer_picks_four_stars(
    browser: Browser, site: Site
) -> None:
    page = await greeted(browser, site)
    await push(site, "How did we do today?", {"ask": "csat"})

    stars = page.locator(".jb-stars .jb-star")
    await expect(stars).to_have_count(5)
    await stars.nth(3).click()

    await expect(page.locator(".jb-from-customer .jb-text").last).to_have_text("★★★★☆")
    await expect(page.locator(".jb-stars")).to_have_class(re.compile("jb-done"))
    for _ in range(50):  # the server stores it a moment after the bubble shows
        async with site.services.uow() as uow:
            texts = [row.text for row in await uow.queries.touchpoints()]
        if '/csat{"score": 4}' in texts:
            break
        await asyncio.sleep(0.1)
    assert texts[-1] == '/csat{"score": 4}'


async def test_a_dropped_connection_comes_back_without_losing_or_repeating(
    browser: Browser, site: Site
) -> None:
    page = await greeted(browser, site)

    for sockets in list(site.services.web_sender.sockets.values()):
        for ws in list(sockets):
            await ws.close()  # the network drops
    await push(site, "Your cart is still waiting for you.")  # sent while offline

    await expect(page.locator(".jb-msg", has_text="still waiting")).to_have_count(1)
    await say(page, "thanks")
    await expect(bot_messages(page)).to_have_count(3)
    await page.wait_for_timeout(500)
    await expect(page.locator(".jb-msg", has_text="still waiting")).to_have_count(1)
    ids = await page.locator(".jb-msg[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    assert len(ids) == len(set(ids))


async def test_html_in_a_message_is_shown_as_text(browser: Browser, site: Site) -> None:
    page = await open_shop(browser, site)
    await open_widget(page)
    attack = '<img src=x onerror="window.pwned=1">'
    await say(page, attack)
    await expect(bot_messages(page)).to_have_count(2)
    await push(site, f"Agent says: {attack}")

    await expect(page.locator(".jb-from-customer .jb-text")).to_have_text([attack])
    await expect(page.locator(".jb-msg.jb-from-agent")).to_contain_text(attack)
    assert await page.locator("img").count() == 0
    assert await page.evaluate("window.pwned === undefined")


async def test_the_interface_speaks_spanish_and_italian_too(browser: Browser, site: Site) -> None:
    page = await open_shop(browser, site)
    await open_widget(page)

    labels = []
    for language in ("es", "it"):
        await page.evaluate(f"journeybot.setLanguage('{language}')")
        labels.append(await page.locator(".jb-send").inner_text())
    await say(page, "quanto costa il MacBook Air?")

    assert labels == ["Enviar", "Invia"]
    await expect(page.locator(".jb-human")).to_have_text("Parla con una persona")
    await expect(bot_messages(page).last).to_contain_text("1.249,00 €")


async def test_a_cart_left_behind_comes_back_in_the_chat_and_an_order_stops_it(
    browser: Browser, site: Site
) -> None:
    page = await greeted(browser, site)
    sender = await visitor(site)
    an_hour_ago = site.services.clock() - timedelta(hours=1, minutes=1)
    cart = {
        "id": "evt-cart", "type": "cart_updated", "customer": {"channel": "web", "id": sender},
        "cart_id": "c-1", "cart_url": "https://shop.example.com/cart/c-1",
        "items": [{"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1,
                   "unit_price": "1299.00"}],
        "total": "1299.00", "currency": "EUR", "occurred_at": an_hour_ago.isoformat(),
    }  # fmt: skip
    assert (await post_event(site, cart))["status"] == "accepted"

    assert await site.services.follow_ups.sweep() == 1
    reminder = page.locator(".jb-msg.jb-from-bot", has_text="You left something in your cart")
    await expect(reminder).to_contain_text("1× Dell XPS 13")
    back = reminder.locator("a.jb-quick-link")
    await expect(back).to_have_text("Back to my cart")
    assert await back.get_attribute("href") == "https://shop.example.com/cart/c-1"

    order = {**cart, "id": "evt-order", "type": "order_placed", "order_id": "o-1",
             "occurred_at": site.services.clock().isoformat()}  # fmt: skip
    assert (await post_event(site, order))["stage"] == "retention"
    async with site.services.uow() as uow:
        statuses = [s for (s,) in await uow.session.execute(select(t.FollowUp.status))]
    assert sorted(statuses) == ["cancelled", "cancelled", "sent"]


async def test_a_delivered_order_asks_for_stars_and_five_bring_the_review_link(
    browser: Browser, site: Site
) -> None:
    page = await greeted(browser, site)
    a_week_ago = site.services.clock() - timedelta(days=7, minutes=1)
    delivered = {
        "id": "evt-delivered", "type": "order_delivered", "order_id": "o-1",
        "customer": {"channel": "web", "id": await visitor(site)},
        "occurred_at": a_week_ago.isoformat(),
    }  # fmt: skip
    assert (await post_event(site, delivered))["status"] == "accepted"
    assert await site.services.follow_ups.sweep() == 1

    question = page.locator(".jb-msg.jb-from-bot", has_text="Your order has arrived")
    stars = question.locator(".jb-stars .jb-star")
    await expect(stars).to_have_count(5)
    await expect(question.locator(".jb-quick-row")).to_have_count(0)  # stars, not buttons
    await stars.nth(4).click()

    invite = page.locator(".jb-msg.jb-from-bot", has_text="a short review helps")
    link = invite.locator("a.jb-quick-link")
    await expect(link).to_have_text("Write a review")
    href = await link.get_attribute("href")
    assert href is not None and href.startswith(f"{site.bot_url}/r/")
    await page.screenshot(path=ARTIFACTS / "widget-review-invitation.png")
    async with aiohttp.ClientSession() as http, http.get(href, allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "https://www.trustpilot.com/evaluate/shop.example.com"


async def post_event(site: Site, event: dict[str, Any]) -> dict[str, Any]:
    """Post a commerce event as the shop's server would, signed."""
    body = json.dumps(event).encode()
    headers = {HEADER: sign(EVENTS_SECRET, body), "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{site.bot_url}/api/events", data=body, headers=headers) as resp,
    ):
        answer: dict[str, Any] = await resp.json()
        return answer


async def test_keyboard_only(browser: Browser, site: Site) -> None:
    page = await open_shop(browser, site)
    launcher = page.locator(".jb-launcher")
    for _ in range(10):  # Tab through the page until the launcher has focus
        await page.keyboard.press("Tab")
        if await launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    await page.keyboard.press("Enter")
    await expect(page.locator(".jb-panel")).to_be_visible()
    await expect(page.locator(".jb-input")).to_be_focused()

    await page.keyboard.type("how much is the MacBook Air?")
    await page.keyboard.press("Enter")
    await expect(bot_messages(page).last).to_contain_text("€1,249.00")

    await page.keyboard.press("Escape")
    await expect(page.locator(".jb-panel")).to_be_hidden()
    await expect(launcher).to_be_focused()
