"""The journey map: stages, the signals (intents, commerce events) of each, and policies.

The shell reads ``journey_map.yml`` and hands the parsed mapping to
``JourneyMap.from_mapping``, which validates all of it and refuses a bad file with a
``JourneyMapError`` naming the file, the key path and the bad value. Nothing here knows
the demo shop's stage names: order, the initial stage, the stages that need a purchase and
the purchase signals all come from the file, so a business can replace them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeys.checks import Checker
from journeys.errors import JourneyMapError
from journeys.handoff_settings import HandoffSettings, read_handoff
from journeys.policies import FollowUpCadence, Policies, read_follow_ups, read_policies
from journeys.review_settings import ReviewSettings, read_reviews

_TOP_KEYS = (
    "initial_stage",
    "repeat_cycle_from",
    "default_language",
    "languages",
    "stages",
    "general_intents",
    "purchase_signals",
    "evidence",
    "follow_ups",
    "policies",
    "fallback",
    "reviews",
    "handoff",
)
_STAGE_KEYS = ("name", "description", "intents", "events", "requires_purchase")


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the journey and the signals that place a customer in it."""

    name: str
    description: str
    intents: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    requires_purchase: bool = False


CONFIRMED = "confirmed"
STATED = "stated"


@dataclass(frozen=True, slots=True)
class EvidenceSettings:
    """How the map tells a stated purchase: ``stated`` intents are the customer's own word
    that they bought ("where is my parcel?"); ``withdrawn_by`` signals take that word back
    ("I haven't ordered anything", a cancelled order)."""

    stated: frozenset[str] = frozenset()
    withdrawn_by: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FallbackSettings:
    """How the bot reacts to messages it does not understand: the ``hand_off_after``-th in
    a row hands the conversation to a person."""

    hand_off_after: int = 2


@dataclass(frozen=True, slots=True)
class JourneyMap:
    """A validated journey map. Build it with ``from_mapping``."""

    stages: tuple[Stage, ...]
    initial_stage: str
    general_intents: tuple[str, ...] = ()
    purchase_signals: frozenset[str] = frozenset()
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)
    repeat_cycle_from: str | None = None
    follow_ups: tuple[FollowUpCadence, ...] = ()
    policies: Policies = field(default_factory=Policies)
    fallback: FallbackSettings = field(default_factory=FallbackSettings)
    reviews: ReviewSettings = field(default_factory=ReviewSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    default_language: str = "en"
    languages: tuple[str, ...] = ("en",)

    @classmethod
    def from_mapping(cls, data: Any, source: str = "journey_map.yml") -> JourneyMap:
        """Validate an already-parsed journey map; raise JourneyMapError when it is wrong."""
        check = Checker(JourneyMapError, source)
        top = check.check_mapping(data, "(top level)")
        check.check_keys(top, _TOP_KEYS, "")
        stages = _read_stages(check, top.get("stages"))
        general = check.check_names(top.get("general_intents"), "general_intents")
        signals = _index_signals(check, stages, general)
        initial = _read_stage_ref(check, top.get("initial_stage"), "initial_stage", stages)
        repeat = top.get("repeat_cycle_from")
        if repeat is not None:
            repeat = _read_stage_ref(check, repeat, "repeat_cycle_from", stages)
        purchase = _read_purchase_signals(check, top.get("purchase_signals"), signals, stages)
        languages = _read_languages(check, top)
        return cls(
            stages=stages,
            initial_stage=initial,
            general_intents=general,
            purchase_signals=purchase,
            evidence=_read_evidence(check, top.get("evidence"), signals, general),
            repeat_cycle_from=repeat,
            follow_ups=read_follow_ups(check, top.get("follow_ups")),
            policies=read_policies(check, top.get("policies")),
            fallback=_read_fallback(check, top.get("fallback")),
            reviews=read_reviews(check, top.get("reviews")),
            handoff=read_handoff(check, top.get("handoff")),
            default_language=languages[0],
            languages=languages,
        )

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The stage names in journey order."""
        return tuple(s.name for s in self.stages)

    @property
    def intents(self) -> frozenset[str]:
        """Every intent the map names, in a stage or as a general intent."""
        staged = {i for s in self.stages for i in s.intents}
        return frozenset(staged | set(self.general_intents))

    @property
    def events(self) -> frozenset[str]:
        """Every commerce event the map names."""
        return frozenset(e for s in self.stages for e in s.events)

    def stage(self, name: str) -> Stage:
        """The stage called ``name`` (KeyError when the map has none)."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def index(self, name: str) -> int:
        """The position of a stage in the journey (0 = first)."""
        return self.stage_names.index(name)

    def stage_for_signal(self, signal: str) -> str | None:
        """The stage an intent or event signals; None for general or unknown ones."""
        for stage in self.stages:
            if signal in stage.intents or signal in stage.events:
                return stage.name
        return None

    def is_purchase_signal(self, signal: str) -> bool:
        """True when ``signal`` means the customer bought something."""
        return signal in self.purchase_signals

    def is_stated_evidence(self, signal: str) -> bool:
        """True when ``signal`` is the customer's own word that they bought something."""
        return signal in self.evidence.stated

    def withdraws_evidence(self, signal: str) -> bool:
        """True when ``signal`` takes back a purchase the customer only stated."""
        return signal in self.evidence.withdrawn_by

    def stage_evidence(self, stage: str | None, purchased: bool, stated: bool) -> str | None:
        """What ``stage`` rests on: ``confirmed`` (the shop's events) or ``stated`` (the
        customer's words) for a stage that requires a purchase, None for any other stage."""
        if (
            stage is None
            or stage not in self.stage_names
            or not self.stage(stage).requires_purchase
        ):
            return None
        if purchased:
            return CONFIRMED
        return STATED if stated else None

    def follow_up(self, kind: str) -> FollowUpCadence | None:
        """The cadence of one kind of follow-up, if the map declares it."""
        return next((c for c in self.follow_ups if c.kind == kind), None)


def _read_stages(check: Checker, value: Any) -> tuple[Stage, ...]:
    items = check.check_list(value, "stages")
    if not items:
        check.fail("stages", value, "at least one stage is required")
    stages: list[Stage] = []
    for i, item in enumerate(items):
        raw = check.check_mapping(item, f"stages[{i}]")
        name = check.check_name(raw.get("name"), f"stages[{i}].name")
        if any(s.name == name for s in stages):
            check.fail(f"stages[{i}].name", name, "stage declared twice")
        key = f"stages.{name}"
        check.check_keys(raw, _STAGE_KEYS, f"{key}.")
        stages.append(
            Stage(
                name=name,
                description=check.check_text(raw.get("description"), f"{key}.description"),
                intents=check.check_names(raw.get("intents"), f"{key}.intents"),
                events=check.check_names(raw.get("events"), f"{key}.events"),
                requires_purchase=check.check_bool(
                    raw.get("requires_purchase", False), f"{key}.requires_purchase"
                ),
            )
        )
    return tuple(stages)


def _index_signals(
    check: Checker, stages: tuple[Stage, ...], general: tuple[str, ...]
) -> dict[str, str]:
    """signal → stage, refusing a signal named twice anywhere in the map."""
    seen = {name: f"general_intents[{i}]" for i, name in enumerate(general)}
    signals: dict[str, str] = {}
    for stage in stages:
        for kind, names in (("intents", stage.intents), ("events", stage.events)):
            for i, name in enumerate(names):
                key = f"stages.{stage.name}.{kind}[{i}]"
                if name in seen:
                    check.fail(key, name, f"already listed under {seen[name]}")
                seen[name] = key
                signals[name] = stage.name
    return signals


def _read_stage_ref(check: Checker, value: Any, key: str, stages: tuple[Stage, ...]) -> str:
    name = check.check_name(value, key)
    stage = next((s for s in stages if s.name == name), None)
    if stage is None:
        check.fail(key, value, f"unknown stage; stages are {', '.join(s.name for s in stages)}")
    if stage.requires_purchase:
        check.fail(key, value, "this stage requires a purchase and cannot start a journey")
    return name


def _read_purchase_signals(
    check: Checker, value: Any, signals: Mapping[str, str], stages: tuple[Stage, ...]
) -> frozenset[str]:
    names = check.check_names(value, "purchase_signals")
    for i, name in enumerate(names):
        if name not in signals:
            check.fail(f"purchase_signals[{i}]", name, "not an intent or event of any stage")
    for stage in stages:
        if stage.requires_purchase and not names:
            check.fail(
                f"stages.{stage.name}.requires_purchase",
                True,
                "no purchase_signals are declared, so this stage could never be reached",
            )
    return frozenset(names)


def _read_evidence(
    check: Checker, value: Any, signals: Mapping[str, str], general: tuple[str, ...]
) -> EvidenceSettings:
    if value is None:
        return EvidenceSettings()
    raw = check.check_mapping(value, "evidence")
    check.check_keys(raw, ("stated", "withdrawn_by"), "evidence.")
    found: dict[str, frozenset[str]] = {}
    for key in ("stated", "withdrawn_by"):
        names = check.check_names(raw.get(key), f"evidence.{key}")
        for i, name in enumerate(names):
            if name not in signals and name not in general:
                check.fail(f"evidence.{key}[{i}]", name, "not an intent or event of the map")
        found[key] = frozenset(names)
    for name in sorted(found["stated"] & found["withdrawn_by"]):
        check.fail("evidence.withdrawn_by", name, "also listed under evidence.stated")
    return EvidenceSettings(found["stated"], found["withdrawn_by"])


def _read_languages(check: Checker, top: Mapping[str, Any]) -> tuple[str, ...]:
    """The supported languages, the default one first."""
    raw = top.get("languages", ["en"])
    languages = [
        check.check_language(v, f"languages[{i}]")
        for i, v in enumerate(check.check_list(raw, "languages"))
    ]
    default = check.check_language(top.get("default_language", "en"), "default_language")
    if default not in languages:
        check.fail("default_language", default, f"not in languages {languages}")
    return (default, *(lang for lang in languages if lang != default))


def _read_fallback(check: Checker, value: Any) -> FallbackSettings:
    if value is None:
        return FallbackSettings()
    raw = check.check_mapping(value, "fallback")
    check.check_keys(raw, ("hand_off_after",), "fallback.")
    after = check.check_int(raw.get("hand_off_after", 2), "fallback.hand_off_after", 1)
    return FallbackSettings(hand_off_after=after)
