"""Journey analytics shaped from plain rows: the funnel, rates, medians, the emotion curve.

Storage answers "who reached which stage when", "how many carts", "how long until a person
answered"; these functions turn the answers into the figures a marketer reads, in the order
of the shop's own journey map. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from journeys.journey_map import CONFIRMED, STATED, JourneyMap
from journeys.sentiment import score

NO_EVIDENCE = "none"
"""The funnel's name for customers whose stage rests on no purchase evidence."""


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One stage of the funnel: customers who reached it in the period, the share of the
    previous stage's customers who went on to it, the median hours it took them, and the
    customers by the evidence their stage rests on (``confirmed``, ``stated``, ``none``)."""

    stage: str
    customers: int
    conversion: float | None
    median_hours: float | None
    by_evidence: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {"stage": self.stage, "customers": self.customers,
                "conversion": self.conversion, "median_hours": self.median_hours,
                "by_evidence": dict(self.by_evidence)}  # fmt: skip


def funnel(
    stages: Sequence[str],
    reached: Mapping[str, int],
    went_on: Mapping[tuple[str, str], tuple[int, float | None]],
    evidence: Mapping[str, Mapping[str | None, int]] | None = None,
) -> list[FunnelStep]:
    """The funnel over ``stages`` (journey order): customers who first reached each stage,
    the share of the previous stage's customers who went on to it, with the median hours,
    and (from ``evidence``: per stage, customers per evidence, None for none) how many
    rest on each kind of evidence."""
    steps: list[FunnelStep] = []
    for i, stage in enumerate(stages):
        by_evidence = evidence_counts((evidence or {}).get(stage, {}))
        if i == 0:
            steps.append(FunnelStep(stage, reached.get(stage, 0), None, None, by_evidence))
            continue
        converted, hours = went_on.get((stages[i - 1], stage), (0, None))
        conversion = rate(converted, reached.get(stages[i - 1], 0))
        steps.append(FunnelStep(stage, reached.get(stage, 0), conversion, hours, by_evidence))
    return steps


def evidence_counts(counts: Mapping[str | None, int]) -> dict[str, int]:
    """``{"confirmed": n, "stated": n, "none": n}`` from counts per evidence (None: none)."""
    named = {CONFIRMED: 0, STATED: 0, NO_EVIDENCE: 0}
    for evidence, n in counts.items():
        key = evidence or NO_EVIDENCE
        named[key] = named.get(key, 0) + n
    return named


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places (None when ``whole`` is 0)."""
    return round(part / whole, 4) if whole else None


def median_or_none(values: Sequence[float]) -> float | None:
    """The median, rounded to 2 places (None without values)."""
    return round(median(values), 2) if values else None


def top(counts: Mapping[str, int], n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` largest counts, ties by name."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def emotion_curve(
    stages: Sequence[str], sums: Mapping[str, tuple[float, int]]
) -> list[tuple[str, float | None, int]]:
    """Average sentiment of customer messages per stage: ``(stage, average, messages)``,
    the "peaks and valleys" of a journey map, from summed scores."""
    curve: list[tuple[str, float | None, int]] = []
    for stage in stages:
        total, count = sums.get(stage, (0.0, 0))
        curve.append((stage, round(total / count, 3) if count else None, count))
    return curve


DayKey = tuple[str, str, str, str, str]
"""(day, channel, language, stage, intent)"""
MentionKey = tuple[str, str, str, str]
"""(day, channel, kind, value)"""
UNRECOGNISED = "nlu_fallback"


CustomerMessage = tuple[str, str, str, str, str, Sequence[str], str, bool]
"""(day, channel, language, stage, intent, products, text, resolved): ``resolved`` for a
message the bot answered although the NLU did not read it so (``resolved_by`` set)."""


def summarise(
    messages: Iterable[CustomerMessage], default_language: str
) -> tuple[list[tuple[str, str, str, str, str, int, float]], list[tuple[str, str, str, str, int]]]:
    """Daily sums of customer messages (``CustomerMessage``): messages and summed sentiment
    per day, channel, language, stage and intent; products talked about and messages not
    understood (never one the bot resolved) per day and channel."""
    days: dict[DayKey, list[float]] = {}
    mentions: dict[MentionKey, int] = {}
    for day, channel, language, stage, intent, products, text, resolved in messages:
        key = (day, channel, language, stage, intent)
        sums = days.setdefault(key, [0, 0.0])
        sums[0] += 1
        sums[1] += score(text, language or default_language)
        for product in products:
            mention = (day, channel, "product", product)
            mentions[mention] = mentions.get(mention, 0) + 1
        if intent == UNRECOGNISED and not resolved and text.strip():
            mention = (day, channel, "unrecognised", " ".join(text.lower().split())[:200])
            mentions[mention] = mentions.get(mention, 0) + 1
    return (
        [(*key, int(n), round(total, 6)) for key, (n, total) in days.items()],
        [(*key, n) for key, n in mentions.items()],
    )


PAIN_INTENTS = frozenset({"hesitation", "complain", "nlu_fallback", "return_request"})
"""What counts as a pain point on the journey map: objections, complaints, not understood."""


def journey_map_rows(
    journey_map: JourneyMap,
    steps: Sequence[FunnelStep],
    intents: Mapping[str, Mapping[str, int]],
    channels: Mapping[str, Mapping[str, int]],
    emotion: Mapping[str, float | None],
    dropped: Mapping[str, int],
) -> list[dict[str, object]]:
    """The journey map a marketer would draw, stage by stage, from what customers did:
    top intents, questions (the intents of the stage price questions signal), pain points,
    emotion, touchpoints per channel and the drop-off."""
    questions = set(
        journey_map.stage(
            journey_map.stage_for_signal("ask_price") or journey_map.stage_names[0]
        ).intents
    )
    by_stage = {step.stage: step for step in steps}
    rows: list[dict[str, object]] = []
    for stage in journey_map.stages:
        seen = intents.get(stage.name, {})
        step = by_stage.get(stage.name)
        rows.append({
            "stage": stage.name,
            "description": stage.description,
            "customers": step.customers if step else 0,
            "conversion": step.conversion if step else None,
            "doing": top({i: n for i, n in seen.items() if i not in PAIN_INTENTS}, 5),
            "asking": top({i: n for i, n in seen.items() if i in questions}, 5),
            "pains": top({i: n for i, n in seen.items() if i in PAIN_INTENTS}, 5),
            "emotion": emotion.get(stage.name),
            "channels": top(channels.get(stage.name, {}), 5),
            "dropped": dropped.get(stage.name, 0),
        })  # fmt: skip
    return rows
