"""The stage tracker: where a customer is in the journey after one more signal.

A signal is an intent or a commerce event; the journey map says which stage it signals
(none for general intents such as greet or thanks). The rules, in the order they apply:

1. A signal for a stage that requires a purchase counts only once there is evidence of a
   purchase: *confirmed* (a purchase signal from the shop's events, now or before) or
   *stated* (the map's ``evidence.stated`` intents: the customer says they bought, asks
   about their parcel, reports a fault...). Without either it is ignored, so "can I refer
   a friend?" from a browsing customer keeps them where they are.
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

7. A signal of ``evidence.withdrawn_by`` ("I haven't ordered anything", a cancelled order)
   from a customer whose purchase is only stated takes the word back: they return to the
   stage they were in before saying it (the initial stage if none), with no evidence.

Every ``StageChanged`` carries the evidence the new stage rests on (``confirmed``,
``stated``, None for a stage that needs no purchase); a change of evidence alone (a stated
purchase the shop's order now confirms) is a ``StageChanged`` to the same stage.

The rules name no stage: order, initial stage, purchase requirements, purchase signals and
the new-cycle stage all come from the journey map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from journeys.journey_map import JourneyMap
from journeys.model import CustomerState, PurchaseStated, StageChanged


@dataclass(frozen=True, slots=True)
class StageTracker:
    """Applies the stage rules of one journey map."""

    journey_map: JourneyMap

    def on_signal(self, state: CustomerState, signal: str, now: datetime) -> StageChanged | None:
        """The stage change an intent or event causes (None: the customer stays)."""
        jm = self.journey_map
        if self.withdraws(state, signal):
            back = state.stage_before_purchase or jm.initial_stage
            return StageChanged(state.stage, back, now, signal, evidence=None)
        return self.next_stage(
            state,
            jm.stage_for_signal(signal),
            now,
            signal,
            purchase=jm.is_purchase_signal(signal),
            stated=jm.is_stated_evidence(signal),
        )

    def withdraws(self, state: CustomerState, signal: str) -> bool:
        """True when ``signal`` takes back a purchase the customer only stated (rule 7)."""
        only_stated = state.purchase_stated and not state.purchased
        return only_stated and self.journey_map.withdraws_evidence(signal)

    def purchase_stated(self, state: CustomerState, signal: str) -> PurchaseStated | None:
        """The customer's word about a purchase that ``signal`` records, if any."""
        if self.withdraws(state, signal):
            return PurchaseStated(False)
        if state.purchase_stated or not self.journey_map.is_stated_evidence(signal):
            return None
        before = state.stage
        if before is not None and self._needs_purchase(before):
            before = state.stage_before_purchase
        return PurchaseStated(True, before)

    def evidence(self, state: CustomerState) -> str | None:
        """What the customer's current stage rests on (see the module docstring)."""
        return self.journey_map.stage_evidence(state.stage, state.purchased, state.purchase_stated)

    def next_stage(
        self,
        state: CustomerState,
        signal_stage: str | None,
        now: datetime,
        reason: str,
        *,
        purchase: bool = False,
        stated: bool = False,
    ) -> StageChanged | None:
        """The stage change a signal for ``signal_stage`` causes; ``purchase``: it is a
        purchase; ``stated``: it is the customer's word that they bought.

        Raises ValueError when ``signal_stage`` is not a stage of the map.
        """
        names = self.journey_map.stage_names
        if signal_stage is not None and signal_stage not in names:
            raise ValueError(f"unknown stage {signal_stage!r}; stages are {', '.join(names)}")
        bought, said = state.purchased or purchase, state.purchase_stated or stated
        target = signal_stage
        if target is not None and self._needs_purchase(target) and not (bought or said):
            target = None
        evidence = self.journey_map.stage_evidence
        if state.stage not in names:
            stage = target or self.journey_map.initial_stage
            return _changed(state, stage, now, reason, evidence(stage, bought, said))
        current = state.stage
        if target is not None and target != current and (purchase or self._moves(current, target)):
            return _changed(state, target, now, reason, evidence(target, bought, said))
        after = evidence(current, bought, said)
        if after != self.evidence(state):
            return _changed(state, current, now, reason, after)
        return None

    def _needs_purchase(self, stage: str) -> bool:
        return (
            stage in self.journey_map.stage_names
            and self.journey_map.stage(stage).requires_purchase
        )

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


def _changed(
    state: CustomerState, stage: str, now: datetime, reason: str, evidence: str | None
) -> StageChanged:
    return StageChanged(state.stage, stage, now, reason, evidence)
