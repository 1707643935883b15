"""The stage tracker: where a customer is in the journey after one more signal.

A signal is an intent or a commerce event; the journey map says which stage it signals
(none for general intents such as greet or thanks). The rules, in the order they apply:

1. A signal for a stage that requires a purchase counts only once the customer has
   purchased (or when the signal is itself a purchase signal); before that it is ignored,
   so "where is my order?" from a browsing customer keeps them where they are.
2. A customer with no stage (new, or whose stage the map no longer has) enters the
   signalled stage, or the map's initial stage when the signal gives none.
3. A signal without a stage (general intents) never moves a known customer.
4. A purchase signal always moves the customer to its stage, even from a later one: a new
   order from a customer in advocacy starts a new after-sale phase.
5. Otherwise stages only move forward in the map's order: a later-stage signal moves the
   customer there, an earlier one is ignored (asking what the shop sells does not pull a
   customer who is comparing laptops back to the start).
6. Except for a new cycle: a customer in a stage that requires a purchase who signals a
   stage that does not, at or after the map's ``repeat_cycle_from`` stage (asking the price
   of another product, wanting to buy again), starts a new cycle at that signalled stage.

The rules name no stage: order, initial stage, purchase requirements, purchase signals and
the new-cycle stage all come from the journey map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from journeys.journey_map import JourneyMap
from journeys.model import CustomerState, StageChanged


@dataclass(frozen=True, slots=True)
class StageTracker:
    """Applies the stage rules of one journey map."""

    journey_map: JourneyMap

    def on_signal(self, state: CustomerState, signal: str, now: datetime) -> StageChanged | None:
        """The stage change an intent or event causes (None: the customer stays)."""
        return self.next_stage(
            state,
            self.journey_map.stage_for_signal(signal),
            now,
            signal,
            purchase=self.journey_map.is_purchase_signal(signal),
        )

    def next_stage(
        self,
        state: CustomerState,
        signal_stage: str | None,
        now: datetime,
        reason: str,
        *,
        purchase: bool = False,
    ) -> StageChanged | None:
        """The stage change a signal for ``signal_stage`` causes; ``purchase``: it is a purchase.

        Raises ValueError when ``signal_stage`` is not a stage of the map.
        """
        names = self.journey_map.stage_names
        if signal_stage is not None and signal_stage not in names:
            raise ValueError(f"unknown stage {signal_stage!r}; stages are {', '.join(names)}")
        target = signal_stage
        if target is not None and not self._reachable(state, target, purchase):
            target = None
        if state.stage not in names:
            return _changed(state, target or self.journey_map.initial_stage, now, reason)
        current = state.stage
        if target is None or target == current:
            return None
        if purchase or self._moves(current, target):
            return _changed(state, target, now, reason)
        return None

    def _reachable(self, state: CustomerState, stage: str, purchase: bool) -> bool:
        """Rule 1: a stage that requires a purchase needs one."""
        return purchase or state.purchased or not self.journey_map.stage(stage).requires_purchase

    def _moves(self, current: str, target: str) -> bool:
        """Rules 5 and 6: forward, or backwards into a new cycle."""
        jm = self.journey_map
        if jm.index(target) > jm.index(current):
            return True
        return (
            jm.repeat_cycle_from is not None
            and jm.stage(current).requires_purchase
            and not jm.stage(target).requires_purchase
            and jm.index(target) >= jm.index(jm.repeat_cycle_from)
        )


def _changed(state: CustomerState, stage: str, now: datetime, reason: str) -> StageChanged:
    return StageChanged(previous=state.stage, current=stage, at=now, reason=reason)
