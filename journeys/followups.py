"""Whether a due follow-up (a cart reminder, a review request) goes out now, and what it says.

Checked at send time, in this order:

1. a customer who opted out, or whose conversation a person has taken over, gets nothing:
   the follow-up is cancelled;
2. inside the quiet hours (in the customer's time zone when known, else the shop's) it is
   held until they end;
3. a flow that would start within 24 hours of another of the same kind (a second cart), a
   cart that already had as many reminders as its cadence has steps (a cart updated again
   does not restart the count), or a message past the daily or weekly cap on proactive
   messages is skipped, with the reason recorded;
4. otherwise it is sent: the step's template (``cart_recovery_2``) in the customer's
   language, naming the cart's items and total, with the link back to the cart; the last
   step of a cadence adds the shop's coupon (``policies.coupon``) when the cart reaches its
   minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journeys.model import Reply
from journeys.policies import Policies, QuietHours
from journeys.replies import Speaker
from journeys.shop import Shop

BACK_TO_CART = "back_to_cart"
"""The ``button_titles`` entry of the link button a cart reminder leads with."""


@dataclass(frozen=True, slots=True)
class DueFollowUp:
    """A follow-up whose time has come, with what its message needs."""

    kind: str
    template: str
    due_at: datetime
    items: tuple[str, ...] = ()
    """Lines such as ``1× Dell XPS 13``."""
    total: str = ""
    cart_url: str = ""
    amount: Decimal | None = None
    """The cart's total as a number (for the coupon's minimum)."""

    @property
    def step(self) -> int | None:
        """Its place in the cadence: ``cart_recovery_2`` is step 2 (see ``journeys.commerce``)."""
        prefix = f"{self.kind}_"
        number = self.template.removeprefix(prefix)
        return int(number) if self.template.startswith(prefix) and number.isdigit() else None


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the send-time rules need to know of the customer."""

    customer_id: str
    language: str
    opted_out: bool = False
    with_person: bool = False
    proactive_last_week: int = 0
    proactive_last_day: int = 0
    other_flow_today: bool = False
    """A reminder of the same kind about another cart or order went out in the last 24 h."""
    sent_about_subject: int = 0
    """Reminders of this kind already sent about the same cart or order."""
    timezone: str | None = None
    """The customer's own time zone, when known (else the shop's)."""


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``reply`` now."""

    reply: Reply


@dataclass(frozen=True, slots=True)
class Hold:
    """Try again at ``until`` (quiet hours)."""

    until: datetime


@dataclass(frozen=True, slots=True)
class Skip:
    """Do not send this one, and record why (a cap)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Cancel:
    """Stop: this and the customer's other pending follow-ups of the kind."""

    reason: str


Outcome = Send | Hold | Skip | Cancel


def decide_follow_up(
    due: DueFollowUp,
    who: Recipient,
    now: datetime,
    shop: Shop,
    values: Mapping[str, str] | None = None,
) -> Outcome:
    """The send-time decision for ``due`` (see the module docstring for the rules);
    ``values`` fill the template's placeholders beyond the cart's."""
    if who.opted_out:
        return Cancel("the customer opted out")
    if who.with_person:
        return Cancel("a person is handling the conversation")
    policies = shop.journey_map.policies
    held = quiet_until(policies, now, who.timezone)
    if held is not None:
        return Hold(held)
    if due.step == 1 and who.other_flow_today:
        return Skip(f"one {due.kind} flow per customer per 24 hours")
    steps = shop.journey_map.follow_up(due.kind)
    last_step = steps is not None and due.step == len(steps.delays)
    if steps is not None and who.sent_about_subject >= len(steps.delays):
        return Skip(f"already {who.sent_about_subject} {due.kind} messages about this")
    for cap, sent, period in (
        (policies.max_proactive_per_day, who.proactive_last_day, "24 hours"),
        (policies.max_proactive_per_week, who.proactive_last_week, "7 days"),
    ):
        if cap is not None and sent >= cap:
            return Skip(f"cap of {cap} proactive messages in {period} reached")
    speaker = Speaker(shop.replies, who.language, f"{who.customer_id}|{due.template}")
    cart = {"items": "\n".join(due.items), "total": due.total, "cart_url": due.cart_url}
    reply = speaker.say(due.template, **cart, **(values or {}))
    back = (
        shop.replies.link_button(BACK_TO_CART, due.cart_url, who.language) if due.cart_url else None
    )
    if back is not None:
        reply = replace(reply, buttons=(back, *reply.buttons))
    coupon = policies.coupon
    if (
        coupon is not None
        and last_step
        and due.amount is not None
        and due.amount >= coupon.min_total
    ):
        line = speaker.text("coupon_line", code=coupon.code)
        reply = replace(reply, text=f"{reply.text}\n{line}")
    return Send(reply)


def quiet_until(policies: Policies, now: datetime, zone: str | None = None) -> datetime | None:
    """When the quiet hours around ``now`` end (None: ``now`` is not in them), in the
    customer's time zone ``zone`` when known, else the shop's."""
    window = policies.quiet_hours
    if window is None:
        return None
    local = now.astimezone(_zone(zone) or ZoneInfo(policies.timezone))
    if not window.contains(local.time().replace(tzinfo=None)):
        return None
    return _window_end(window, local)


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _window_end(window: QuietHours, local: datetime) -> datetime:
    """The next end of the window after ``local``, in UTC (wall-clock arithmetic, so a
    daylight-saving change still ends the window at its local time)."""
    end = local.replace(hour=window.end.hour, minute=window.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)
