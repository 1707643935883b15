"""Satisfaction questions and their review links. Never commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update

from storage import tables as t
from storage.repository_base import Repository
from storage.statements import table

TOKEN_BYTES = 16
"""A review link's token: 128 random bits, so links cannot be guessed."""


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """A stored CSAT question, as the dialogue needs it."""

    id: int
    trigger: str
    asked_at: datetime
    token: str
    product_id: str | None
    score: int | None
    answered_at: datetime | None
    commented: bool
    invited: bool


@dataclass(frozen=True, slots=True)
class ReviewLink:
    """What ``/r/<token>`` needs: where it leads, and whether it may still be used."""

    survey_id: int
    customer_id: int
    conversation_id: int | None
    channel: str
    """The channel of the conversation the question went to."""
    review_url: str | None
    invited_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class SurveySummary:
    """Satisfaction figures over a period: the score distribution and the review funnel."""

    asked: int
    scores: dict[int, int]
    invited: int
    clicked: int
    reviewed: int

    @property
    def answered(self) -> int:
        """Questions answered with a score."""
        return sum(self.scores.values())

    @property
    def csat(self) -> float | None:
        """The share of answers scoring 4 or 5 (None without answers)."""
        return None if not self.answered else (self.scores[4] + self.scores[5]) / self.answered


class SurveyRepository(Repository):
    """CSAT questions, answers, review-link clicks and reported reviews."""

    async def open(
        self, customer_id: int, conversation_id: int | None, trigger: str, subject: str | None,
        product_id: str | None, now: datetime,
    ) -> tuple[int, str]:  # fmt: skip
        """Record a question asked now; return its id and its link's token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        survey_id = await self.insert(
            t.Survey,
            {
                "customer_id": customer_id, "conversation_id": conversation_id,
                "trigger": trigger, "subject": subject, "product_id": product_id,
                "token": token, "asked_at": now, "invited": False, "clicks": 0,
            },
        )  # fmt: skip
        return survey_id, token

    async def latest(self, customer_id: int) -> SurveyRow | None:
        """The customer's most recent question."""
        v = table(t.Survey)
        stmt = (
            select(v.c.id, v.c.trigger, v.c.asked_at, v.c.token, v.c.product_id, v.c.score,
                   v.c.answered_at, v.c.comment.is_not(None), v.c.invited)
            .where(v.c.customer_id == customer_id)
            .order_by(v.c.id.desc())
            .limit(1)
        )  # fmt: skip
        row = (await self.connection.execute(stmt)).first()
        if row is None:
            return None
        return SurveyRow(
            id=row[0], trigger=row[1], asked_at=row[2], token=row[3], product_id=row[4],
            score=row[5], answered_at=row[6], commented=bool(row[7]), invited=bool(row[8]),
        )  # fmt: skip

    async def history(self, customer_id: int, subject: str | None) -> tuple[datetime | None, bool]:
        """When the customer was last asked, and whether ``subject`` was asked about."""
        v = table(t.Survey)
        about = func.sum(case((v.c.subject == subject, 1), else_=0)) if subject else func.sum(0)
        stmt = select(func.max(v.c.asked_at), about).where(v.c.customer_id == customer_id)
        last, same = (await self.connection.execute(stmt)).one()
        return last, bool(same)

    async def score(
        self, survey_id: int, *, score: int, comment: str | None, policy: str, invited: bool,
        reason: str, review_url: str | None, now: datetime, expires_at: datetime | None,
    ) -> None:  # fmt: skip
        """Record the answer and the invitation decision (the link works from now when
        ``invited``)."""
        await self.update(
            t.Survey,
            survey_id,
            {
                "score": score, "comment": comment, "answered_at": now, "policy": policy,
                "invited": invited, "invite_reason": reason,
                "review_url": review_url if invited else None,
                "invited_at": now if invited else None,
                "link_expires_at": expires_at if invited else None,
            },
        )  # fmt: skip

    async def add_comment(self, survey_id: int, text: str) -> None:
        """Store the comment given after the score."""
        await self.update(t.Survey, survey_id, {"comment": text})

    async def link(self, token: str) -> ReviewLink | None:
        """The review link ``token`` names (None: no such token)."""
        v, c = table(t.Survey), table(t.Conversation)
        stmt = (
            select(v.c.id, v.c.customer_id, v.c.conversation_id, func.coalesce(c.c.channel, "web"),
                   v.c.review_url, v.c.invited_at, v.c.link_expires_at)
            .outerjoin(c, c.c.id == v.c.conversation_id)
            .where(v.c.token == token)
        )  # fmt: skip
        row = (await self.connection.execute(stmt)).first()
        return None if row is None else ReviewLink(*row)

    async def click(self, survey_id: int, now: datetime) -> bool:
        """Count a click on the survey's link; True for its first one."""
        v = table(t.Survey)
        stmt = (
            update(v)
            .where(v.c.id == survey_id)
            .values(
                clicks=v.c.clicks + 1, first_clicked_at=func.coalesce(v.c.first_clicked_at, now)
            )
            .returning(v.c.clicks)
        )
        clicks = (await self.connection.execute(stmt)).scalar_one()
        return int(clicks) == 1

    async def mark_reviewed(self, customer_id: int, source: str, now: datetime) -> int | None:
        """Credit a review to the customer's latest invitation not yet reviewed; its id."""
        v = table(t.Survey)
        stmt = (
            select(v.c.id)
            .where(v.c.customer_id == customer_id, v.c.invited.is_(True),
                   v.c.reviewed_at.is_(None))
            .order_by(v.c.id.desc())
            .limit(1)
        )  # fmt: skip
        survey_id = (await self.connection.execute(stmt)).scalar_one_or_none()
        if survey_id is not None:
            await self.update(t.Survey, survey_id, {"reviewed_at": now, "review_source": source})
        return survey_id

    async def summary(self, since: datetime, until: datetime) -> SurveySummary:
        """Questions asked in ``[since, until)``: scores, invitations, clicks, reviews."""
        v = table(t.Survey)
        period = (v.c.asked_at >= since, v.c.asked_at < until)
        totals = select(
            func.count(), func.count(v.c.invited_at), func.count(v.c.first_clicked_at),
            func.count(v.c.reviewed_at),
        ).where(*period)  # fmt: skip
        asked, invited, clicked, reviewed = (await self.connection.execute(totals)).one()
        by_score = (
            select(v.c.score, func.count())
            .where(*period, v.c.score.is_not(None))
            .group_by(v.c.score)
        )
        scores = dict.fromkeys(range(1, 6), 0)
        for score, count in await self.connection.execute(by_score):
            scores[int(score)] = int(count)
        return SurveySummary(int(asked), scores, int(invited), int(clicked), int(reviewed))
