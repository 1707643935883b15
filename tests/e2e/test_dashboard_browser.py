"""The marketer's dashboard in headless Chromium: log in, read every chart, export CSV."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.e2e.widget_site import ARTIFACTS, DESKTOP, Site, bot_messages, greeted, say

PASSWORD = "correct horse battery"


async def test_a_marketer_logs_in_reads_the_charts_and_exports_the_touchpoints(
    browser: Browser, site: Site
) -> None:
    customer = await greeted(browser, site)
    await say(customer, "how much is the MacBook Air?")
    await expect(bot_messages(customer).last).to_contain_text("€")
    await site.services.staff.add_user("mia", "marketer", PASSWORD)

    page = await browser.new_page(viewport=DESKTOP, accept_downloads=True)  # type: ignore[arg-type]
    await page.goto(f"{site.bot_url}/console/login")
    await page.get_by_label("Name").fill("mia")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()

    await expect(page).to_have_url(re.compile("/dashboard$"))
    await expect(page.locator("figure.chart")).to_have_count(9)
    await expect(page.locator("#funnel-evidence")).to_contain_text("After the purchase")
    funnel = page.locator("#funnel")
    await funnel.get_by_text("Numbers").click()
    await expect(funnel.locator("table")).to_contain_text("awareness")
    await expect(page.locator("table.touchpoints")).to_contain_text("how much is the MacBook Air?")
    await page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="CSV").click()
    download = await download_info.value
    path = await download.path()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,created_at,customer,channel")

    await page.get_by_role("link", name="Journey map").click()
    await expect(
        page.get_by_role("heading", name="The journey map, made from the chat log")
    ).to_be_visible()
    await expect(page.locator("section.stage")).to_have_count(5)
    await page.screenshot(path=ARTIFACTS / "journey-map.png", full_page=True)
