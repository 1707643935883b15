"""The pure shaping of journey analytics: the funnel by evidence, the daily summaries."""

from __future__ import annotations

from journeys.analytics import funnel, summarise

STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")


def test_the_funnel_counts_each_stage_by_evidence() -> None:
    reached = {"awareness": 3, "retention": 3}
    evidence = {"awareness": {None: 3}, "retention": {"confirmed": 1, "stated": 1, None: 1}}

    steps = funnel(STAGES, reached, {}, evidence)

    assert steps[0].to_dict()["by_evidence"] == {"confirmed": 0, "stated": 0, "none": 3}
    assert steps[3].by_evidence == {"confirmed": 1, "stated": 1, "none": 1}
    assert steps[4].to_dict() == {
        "stage": "advocacy", "customers": 0, "conversion": 0.0, "median_hours": None,
        "by_evidence": {"confirmed": 0, "stated": 0, "none": 0},
    }  # fmt: skip


def test_a_message_the_bot_resolved_is_not_counted_as_not_understood() -> None:
    day = ("2026-03-02", "web", "en", "awareness")
    messages = [
        (*day, "nlu_fallback", (), "blorp zzz", False),
        (*day, "nlu_fallback", (), "blorp the xps", True),
    ]

    _, mentions = summarise(messages, "en")

    assert mentions == [("2026-03-02", "web", "unrecognised", "blorp zzz", 1)]
