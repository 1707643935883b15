"""The multi-turn dialogue scenarios of tests/dialogues, played through the real service
(REST channel, signed commerce events, the embedded NLU, the demo shop): per language, at
least 95% of the messages answered right and 95% of the turns ending in the expected stage
with the expected evidence. A failure lists every failing turn with what was expected, what
happened and the answer. Then the scenario files themselves: their loader's errors, and
that no message is a copy of an NLU training example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu.embedded import EmbeddedBackend
from tests.dialogues.runner import DialogueRunner
from tests.dialogues.scenarios import (
    FOLDER,
    LANGUAGES,
    ScenarioError,
    load_suite,
    load_suites,
    training_copies,
    training_examples,
)

GOAL = 0.95
HELLO: dict[str, Any] = {
    "say": "hello there, anyone around",
    "stage": "awareness",
    "evidence": "none",
}
ORDER: dict[str, Any] = {"event": "order_placed", "stage": "retention", "evidence": "confirmed"}


def write(tmp_path: Path, conversations: Any, language: str = "en") -> Path:
    path = tmp_path / f"{language}.yml"
    path.write_text(yaml.safe_dump({"language": language, "conversations": conversations}))
    return path


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_conversations_of_a_language_are_answered_and_staged_right(
    embedded_nlu: EmbeddedBackend, database_url: str, tmp_path: Path, language: str
) -> None:
    suite = load_suite(FOLDER / f"{language}.yml")
    async with DialogueRunner.started(embedded_nlu, database_url, tmp_path) as runner:
        result = await runner.run(suite)
    answered, staged = result.answered_share, result.stage_accuracy

    assert answered >= GOAL and staged >= GOAL, result.report()


# --- the scenario files ---------------------------------------------------------------------


def test_each_language_has_sixty_conversations_of_two_to_six_turns() -> None:
    for suite in load_suites():
        assert suite.language == suite.path.stem
        assert len(suite.conversations) == 60, suite.path
        short_or_long = [c.name for c in suite.conversations if not 2 <= len(c.turns) <= 6]
        assert short_or_long == [], suite.path


def test_no_scenario_message_is_a_training_example() -> None:
    examples = training_examples()

    assert len(examples) > 1000  # the training files were found and read
    assert [copy for suite in load_suites() for copy in training_copies(suite, examples)] == []


def test_a_copy_is_found_whatever_its_case_punctuation_and_annotations(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    data.mkdir()
    (data / "es.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_price\n  examples: |\n'
        "    - cuanto cuesta el [XPS 13](product)\n    - hola\n"
    )
    messages = [{**HELLO, "say": "¿Cuánto cuesta el XPS 13?"}, {**HELLO, "say": "HOLA!!"}]
    suite = load_suite(write(tmp_path, [{"name": "copies", "turns": [*messages, HELLO]}]))

    assert training_copies(suite, training_examples(data)) == [
        "en.yml: copies, turn 1: '¿Cuánto cuesta el XPS 13?'",
        "en.yml: copies, turn 2: 'HOLA!!'",
    ]


# --- the loader refuses a bad file, naming the file, the conversation and the turn --------


@pytest.mark.parametrize(
    ("turn", "fragment"),
    [
        ({**HELLO, "mustnot": ["x"]}, "unknown key(s) mustnot; known: say, event"),
        ({**HELLO, "stage": "purchased"}, '"stage" must be one of awareness, consideration'),
        ({**HELLO, "evidence": None}, '"evidence" must be one of none, stated, confirmed, got'),
        ({**HELLO, "about": ["xps-13", "xps-15"]}, '"about" has ids not in the catalogue: xps-15'),
        ({**HELLO, "must": "tracking"}, '"must" must be a list of non-empty strings'),
        ({**HELLO, "must_not": [""]}, '"must_not" must be a list of non-empty strings'),
        ({**HELLO, "say": ""}, '"say" must be a non-empty string'),
        ({**HELLO, **ORDER}, 'give exactly one of "say" (a message) and "event"'),
        ({"stage": "awareness", "evidence": "none"}, 'give exactly one of "say"'),
        ({**ORDER, "event": "order_shipped"}, '"event" must be one of order_placed'),
        ({**ORDER, "must": ["thanks"]}, "an event gets no answer, so no must"),
        ({**ORDER, "product": "galaxy-book"}, "product 'galaxy-book' is not in the catalogue"),
        ({**HELLO, "product": "xps-13"}, '"product" is for event turns'),
        ("hello", "expected a mapping, got 'hello'"),
    ],
)  # fmt: skip
def test_a_bad_turn_is_refused_with_its_file_conversation_and_number(
    tmp_path: Path, turn: Any, fragment: str
) -> None:
    path = write(
        tmp_path, [{"name": "fine", "turns": [HELLO]}, {"name": "bad", "turns": [HELLO, turn]}]
    )

    with pytest.raises(ScenarioError) as error:
        load_suite(path)

    assert str(error.value).startswith(f"{path}: conversation 'bad', turn 2: "), error.value
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    ("conversations", "fragment"),
    [
        ([{"name": "early", "turns": [ORDER, HELLO]}], "'early', turn 1: the first turn must be a"),
        ([{"name": "twice", "turns": [HELLO]}] * 2, "conversation 'twice' appears twice"),
        ([{"name": "empty", "turns": []}], """'empty': "turns" must be a non-empty list"""),
        ([{"name": "typo", "turn": [HELLO]}], "conversation 'typo': unknown key(s) turn"),
        ([{"turns": [HELLO]}], """conversation #1: "name" must be a non-empty string"""),
        ([], '"conversations" must be a non-empty list'),
    ],
)  # fmt: skip
def test_a_bad_conversation_is_refused_with_its_file_and_name(
    tmp_path: Path, conversations: Any, fragment: str
) -> None:
    path = write(tmp_path, conversations)

    with pytest.raises(ScenarioError) as error:
        load_suite(path)

    assert str(error.value).startswith(f"{path}: "), error.value
    assert fragment in str(error.value)


def test_a_file_that_is_not_yaml_or_not_a_scenario_file_is_refused(tmp_path: Path) -> None:
    broken, wrong = tmp_path / "en.yml", tmp_path / "es.yml"
    broken.write_text("conversations: [unclosed")
    wrong.write_text("- just a list\n")

    with pytest.raises(ScenarioError, match=r"en\.yml: cannot be read"):
        load_suite(broken)
    with pytest.raises(ScenarioError, match=r'es\.yml: expected a mapping with "language"'):
        load_suite(wrong)
