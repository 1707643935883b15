"""The support console in headless Chromium, beside a customer's widget in another tab.

An agent logs in and watches the queue; a customer on the shop page asks for a person; the
conversation appears in the queue without a reload; the agent claims it and replies; the
customer's chat shows the reply, marked as from a person; after release the bot answers.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.e2e.widget_site import ARTIFACTS, DESKTOP, Site, bot_messages, greeted, say

PASSWORD = "correct horse battery"


async def agent_logged_in(browser: Browser, site: Site) -> Page:
    await site.services.staff.add_user("marta", "agent", PASSWORD)
    page = await browser.new_page(viewport=DESKTOP)  # type: ignore[arg-type]
    await page.goto(f"{site.bot_url}/console")
    await expect(page).to_have_url(re.compile("/console/login$"))
    await page.get_by_label("Name").fill("marta")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(
        page.get_by_role("heading", name="Conversations that need a person")
    ).to_be_visible()
    return page


async def test_an_agent_claims_a_waiting_customer_and_the_reply_reaches_the_widget(
    browser: Browser, site: Site
) -> None:
    agent = await agent_logged_in(browser, site)
    await expect(agent.locator(".empty")).to_have_text("Nobody is waiting for a person.")
    await expect(agent.locator("body")).to_have_attribute("data-live", "on")
    customer = await greeted(browser, site)

    await customer.locator(".jb-human").click()
    await expect(bot_messages(customer).last).to_contain_text("passing you to a person")
    waiting = agent.locator("li.conversation.status-waiting")
    await expect(waiting).to_have_count(1)  # arrived live, without a reload
    await expect(waiting).to_contain_text("the customer asked for a person")
    await agent.screenshot(path=ARTIFACTS / "console-queue.png")

    await waiting.get_by_role("button", name="Claim").click()
    await expect(agent.locator(".state .status")).to_have_text("agent")
    await expect(bot_messages(customer).last).to_contain_text("marta from our team is here")
    await say(customer, "is the XPS 13 good for travel?")
    await expect(agent.locator(".transcript .from-customer").last).to_contain_text(
        "is the XPS 13 good for travel?"
    )
    await agent.get_by_label("Reply to the customer").fill(
        "Yes: it weighs 1.2 kg and lasts all day."
    )
    await agent.get_by_role("button", name="Send").click()

    from_person = customer.locator(".jb-msg.jb-from-agent")
    await expect(from_person).to_contain_text("it weighs 1.2 kg")
    await expect(from_person.locator(".jb-agent-label")).to_have_text("marta · Support team")
    await customer.screenshot(path=ARTIFACTS / "console-reply-in-widget.png")
    await agent.screenshot(path=ARTIFACTS / "console-conversation.png")

    await agent.get_by_role("button", name="Release to the bot").click()
    await expect(bot_messages(customer).last).to_contain_text("back with the shop's assistant")
    await say(customer, "how much is the MacBook Air?")
    await expect(bot_messages(customer).last).to_contain_text("€")
