"""The shell of satisfaction questions and reviews: surveys in storage, touchpoints, links.

The decisions are ``journeys.reviews``'; here they are written down. Every step leaves a
touchpoint, so analytics can follow the funnel: ``csat_asked`` (the question went out),
``csat_answered`` (with the score as an entity), ``csat_comment``, ``review_invited``,
``review_clicked`` (the first click on ``/r/<token>``), and ``review_reported`` (the customer
said they left one) or the shop's ``review_submitted`` event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from journeys.model import (
    ANSWERED_BY_BOT,
    CommentSurvey,
    Decision,
    OpenSurvey,
    Reply,
    ScoreSurvey,
    Survey,
)
from journeys.review_settings import SATISFIED_ONLY
from journeys.reviews import ASK_CSAT
from journeys.shop import Shop
from storage.records import NewTouchpoint, OutboxMessage
from storage.surveys import SurveyRow
from storage.uow import SqlAlchemyUnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

LINK_PATH = "/r/"


def review_link(base_url: str, token: str) -> str:
    """The tracked review link of a survey."""
    return f"{base_url}{LINK_PATH}{token}"


def to_survey(row: SurveyRow | None, base_url: str) -> Survey | None:
    """The core's view of a stored survey."""
    if row is None:
        return None
    return Survey(
        id=row.id,
        trigger=row.trigger,
        asked_at=row.asked_at,
        link=review_link(base_url, row.token),
        product_id=row.product_id,
        score=row.score,
        answered_at=row.answered_at,
        commented=row.commented,
        invited=row.invited,
    )


def warn_about_policy(shop: Shop) -> None:
    """Say at start when the shop invites only satisfied customers to review."""
    if shop.journey_map.reviews.policy == SATISFIED_ONLY:
        log.warning(
            "reviews.policy is satisfied_only: only customers who score 4-5 are invited to "
            "review. Google's and Trustpilot's rules forbid this (review gating) and the US "
            "FTC treats review suppression as unlawful; invite_all is the default."
        )


@dataclass(frozen=True, slots=True)
class Exchange:
    """Where the survey steps of one exchange happened."""

    customer_id: int
    conversation_id: int | None
    channel: str
    language: str | None
    now: datetime


async def record_survey_steps(
    uow: SqlAlchemyUnitOfWork,
    decision: Decision,
    rows: Sequence[OutboxMessage],
    where: Exchange,
) -> None:
    """Carry out the decision's survey commands, with a touchpoint for each step."""
    replies = dict(zip((r.template for r in decision.replies), rows, strict=False))
    for command in decision.commands:
        match command:
            case OpenSurvey(trigger=trigger, subject=subject, product_id=product):
                question = next((r for r in decision.replies if r.ask == ASK_CSAT), None)
                await open_survey(
                    uow, where, trigger, subject, product,
                    question, replies.get(question.template) if question else None,
                )  # fmt: skip
            case ScoreSurvey() as score:
                await uow.surveys.score(
                    score.survey_id, score=score.score, comment=score.comment,
                    policy=score.policy, invited=score.invited, reason=score.reason,
                    review_url=score.review_url, now=where.now, expires_at=score.link_expires_at,
                )  # fmt: skip
                invite = replies.get("review_invite")
                if score.invited and invite is not None:
                    await _touchpoint(uow, where, "review_invited", invite.text, invite.id)
            case CommentSurvey(survey_id=survey_id, text=text):
                await uow.surveys.add_comment(survey_id, text)


async def open_survey(
    uow: SqlAlchemyUnitOfWork,
    where: Exchange,
    trigger: str,
    subject: str | None,
    product_id: str | None,
    question: Reply | None,
    message: OutboxMessage | None,
) -> None:
    """Store a question asked now, and its ``csat_asked`` touchpoint."""
    await uow.surveys.open(
        where.customer_id, where.conversation_id, trigger, subject, product_id, where.now
    )
    text = question.text if question else ""
    await _touchpoint(uow, where, "csat_asked", text, message.id if message else None, trigger)


async def _touchpoint(
    uow: SqlAlchemyUnitOfWork,
    where: Exchange,
    kind: str,
    text: str,
    message_id: int | None,
    intent: str | None = None,
    direction: str = "out",
) -> None:
    answered_by = ANSWERED_BY_BOT if direction == "out" else None
    point = NewTouchpoint(
        where.channel, direction, text, where.now, kind, intent or kind,
        language=where.language, answered_by=answered_by,
    )  # fmt: skip
    await uow.touchpoints.add(where.customer_id, where.conversation_id, message_id, point)


class ReviewLinks:
    """Follows ``/r/<token>``: counts the click and says where to send the customer."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime]) -> None:
        self.uow, self.clock = uow, clock

    async def follow(self, token: str, *, count: bool = True) -> str | None:
        """The review page ``token`` leads to, after counting the click (unless ``count`` is
        False); None for a token that is unknown, was never sent as an invitation, or has
        expired."""
        now = self.clock()
        async with self.uow() as uow:
            link = await uow.surveys.link(token)
            if (
                link is None
                or link.review_url is None
                or link.invited_at is None
                or (link.expires_at is not None and now >= link.expires_at)
            ):
                return None
            if count and await uow.surveys.click(link.survey_id, now):
                where = Exchange(link.customer_id, link.conversation_id, link.channel, None, now)
                await _touchpoint(uow, where, "review_clicked", "", None, direction="in")
            await uow.commit()
        return link.review_url
