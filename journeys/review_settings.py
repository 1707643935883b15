"""The journey map's ``reviews`` section: who is invited to review, where to, and how often.

Defaults follow what review tools do: one request per customer in 30 days, a week after
delivery (the ``review_request`` cadence of ``follow_ups``), links valid for 30 days. The
default policy is ``invite_all``: Google's and Trustpilot's rules forbid inviting only
customers who are happy ("review gating"), and the US FTC treats suppressing negative
reviews as unlawful. ``satisfied_only`` exists for shops that choose it anyway.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from journeys.checks import Checker
from journeys.policies import read_durations

INVITE_ALL = "invite_all"
SATISFIED_ONLY = "satisfied_only"
NEVER = "never"
REVIEW_POLICIES = (INVITE_ALL, SATISFIED_ONLY, NEVER)
"""Who is invited to review after answering: everyone, only scores of 4–5, nobody."""

_KEYS = (
    "policy", "review_url", "min_interval", "max_conversation_age", "answer_within",
    "comment_within", "link_ttl", "referral_url",
)  # fmt: skip
_DURATIONS = ("min_interval", "max_conversation_age", "answer_within", "comment_within", "link_ttl")


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """How the shop asks for satisfaction scores and reviews."""

    policy: str = INVITE_ALL
    review_url: str | None = None
    """Where an invitation leads (Google, Trustpilot, the shop's page); a product's
    ``review_url`` in the catalogue wins."""
    min_interval: timedelta = timedelta(days=30)
    """At most one CSAT question per customer in this time."""
    max_conversation_age: timedelta = timedelta(days=60)
    """No question into a conversation silent for longer than this."""
    answer_within: timedelta = timedelta(days=7)
    """A score typed later than this after the question is not taken as its answer."""
    comment_within: timedelta = timedelta(hours=1)
    """How long after a score a message may be its comment."""
    link_ttl: timedelta = timedelta(days=30)
    """How long a review link keeps working."""
    referral_url: str | None = None
    """The share link offered to advocates; ``{code}`` is the customer's referral code."""


def read_reviews(check: Checker, value: Any) -> ReviewSettings:
    """Validate the ``reviews`` section (every key optional)."""
    if value is None:
        return ReviewSettings()
    raw = check.check_mapping(value, "reviews")
    check.check_keys(raw, _KEYS, "reviews.")
    policy = raw.get("policy", INVITE_ALL)
    if policy not in REVIEW_POLICIES:
        check.fail("reviews.policy", policy, f"expected one of {', '.join(REVIEW_POLICIES)}")
    durations = read_durations(check, raw, _DURATIONS, "reviews")
    referral = _url(check, raw.get("referral_url"), "reviews.referral_url")
    if referral is not None and "{code}" not in referral:
        check.fail("reviews.referral_url", referral, "expected a {code} placeholder")
    return ReviewSettings(
        policy=policy,
        review_url=_url(check, raw.get("review_url"), "reviews.review_url"),
        referral_url=referral,
        **durations,
    )


def referral_link(customer_id: str, settings: ReviewSettings) -> str | None:
    """The customer's share link: ``referral_url`` with a stable code made from their id."""
    if settings.referral_url is None:
        return None
    digest = hashlib.blake2b(customer_id.encode(), digest_size=5).digest()
    return settings.referral_url.replace("{code}", base64.b32encode(digest).decode())


def _url(check: Checker, value: Any, key: str) -> str | None:
    return None if value is None else check.check_url(value, key)
