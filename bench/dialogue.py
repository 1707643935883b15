"""Dialogue scenarios in-process: how many turns are right, and what a turn costs.

Plays the scenario files of tests/dialogues (60 conversations per language) through the real
service, in-process, with tests.dialogues.runner: ``build_services`` and the web app on an
aiohttp test server, the embedded NLU trained on nlu/data with the catalogue's names, SQLite.
Prints, per language and for all of them:

* conversations, turns, the share of messages answered right, and the stage accuracy (stage
  and evidence both as expected, events included);
* latency per message turn (the REST round trip), p50/p99 in ms, beside a floor measured in
  the same run: the same runner sending a greeting ("hello", "hola", "ciao": a template
  reply) from a fresh sender as many times as the conversation has messages, just before the
  conversation itself; and the ratios turn / floor.

``--show-failures`` then lists every failing turn: conversation, message, what was expected,
what happened, and the answer.

Run: .venv/bin/python -m bench.dialogue [--languages en es it] [--show-failures]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nlu.embedded import EmbeddedBackend
from tests.dialogues.runner import DialogueRunner, Outcome, SuiteResult, train_nlu
from tests.dialogues.scenarios import LANGUAGES, Conversation, load_suites

GREETINGS = {"en": "hello", "es": "hola", "it": "ciao"}
WARM_UP = ["hello", "how much is the XPS 13?", "hola", "¿cuánto pesa el MacBook Air?", "ciao"]


@dataclass(frozen=True)
class Measured:
    """One language's scenario results and the floor's latencies, in ms."""

    result: SuiteResult
    floor: list[float]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def greet(runner: DialogueRunner, language: str, conversation: Conversation) -> list[float]:
    """The floor twin of ``conversation``: a greeting for each of its messages."""
    sender = runner.new_sender(f"floor-{conversation.name}")
    latencies: list[float] = []
    for turn in conversation.turns:
        if turn.say is None:
            continue
        runner.clock.advance(minutes=1)
        _, latency = await runner.say(sender, GREETINGS.get(language, "hello"))
        latencies.append(latency)
    return latencies


async def measure(nlu: EmbeddedBackend, languages: list[str], workdir: Path) -> list[Measured]:
    """Each language's conversations, each right after its floor twin."""
    url = f"sqlite+aiosqlite:///{workdir / 'journeybot.db'}"
    measured: list[Measured] = []
    async with DialogueRunner.started(nlu, url, workdir, migrate=True) as runner:
        for text in WARM_UP:  # caches: locale data, the catalogue's indexes, SQLite pages
            await runner.say(runner.new_sender("warm-up"), text)
        for suite in load_suites(languages):
            outcomes: list[Outcome] = []
            floor: list[float] = []
            for conversation in suite.conversations:
                floor += await greet(runner, suite.language, conversation)
                outcomes += await runner.converse(suite.language, conversation)
            result = SuiteResult(suite.language, len(suite.conversations), tuple(outcomes))
            measured.append(Measured(result, floor))
    return measured


def print_table(measured: list[Measured]) -> None:
    header = (
        f"{'language':9}{'convs':>6}{'turns':>7}{'answered right':>16}{'stage accuracy':>16}"
        f"{'turn p50':>11}{'p99':>10}{'floor p50':>11}{'p99':>10}{'ratio p50':>11}{'p99':>7}"
    )
    print(header)
    print("-" * len(header))
    rows = [(m.result.language, [m.result], m.floor) for m in measured]
    if len(measured) > 1:
        rows.append(("all", [m.result for m in measured], [x for m in measured for x in m.floor]))
    for name, results, floor in rows:
        outcomes = [o for r in results for o in r.outcomes]
        messages = [o for o in outcomes if o.turn.say is not None]
        right = sum(bool(o.answered_right) for o in messages) / max(1, len(messages))
        staged = sum(o.stage_right for o in outcomes) / max(1, len(outcomes))
        turns = [o.latency_ms for o in messages if o.latency_ms is not None]
        t50, t99, f50, f99 = (percentile(v, q) for v in (turns, floor) for q in (0.5, 0.99))
        print(
            f"{name:9}{sum(r.conversations for r in results):>6}{len(outcomes):>7}"
            f"{right:>16.1%}{staged:>16.1%}{t50:>8.1f} ms{t99:>7.1f} ms{f50:>8.1f} ms"
            f"{f99:>7.1f} ms{t50 / max(f50, 1e-9):>10.2f}×{t99 / max(f99, 1e-9):>6.2f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--show-failures", action="store_true", help="list every failing turn")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="journeybot-dialogue-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        nlu = train_nlu(workdir / "nlu-cache")
        print(f"NLU trained in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        measured = asyncio.run(measure(nlu, args.languages, workdir))
    turns = sum(len(m.result.outcomes) + len(m.floor) for m in measured)
    print(f"{turns} turns (scenarios and floor) in {time.perf_counter() - started:.1f} s\n")
    print_table(measured)
    if args.show_failures:
        for m in measured:
            print(f"\n{m.result.report()}")


if __name__ == "__main__":
    main()
