"""Loading Rasa 3.x NLU YAML: every construct, several files and folders, broken files."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from nlu.annotations import AnnotationError, parse_annotated
from nlu.errors import TrainingDataError
from nlu.training_data import TrainingData, load_training_data
from nlu.types import Entity

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FORMS = FIXTURES / "syntax" / "all_forms.yml"


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def all_forms() -> TrainingData:
    return load_training_data(ALL_FORMS)


def examples_of(data: TrainingData, intent: str) -> list[str]:
    return [e.text for e in data.examples if e.intent == intent]


def test_block_examples_are_read_and_comment_lines_skipped(all_forms: TrainingData) -> None:
    assert examples_of(all_forms, "greet") == ["hola", "buenos días"]


def test_block_metadata_language_is_the_examples_language(all_forms: TrainingData) -> None:
    assert {e.language for e in all_forms.examples if e.intent == "greet"} == {"es"}


def test_language_is_unknown_without_metadata_or_telling_file_name(
    all_forms: TrainingData,
) -> None:
    assert {e.language for e in all_forms.examples if e.intent == "ask_price"} == {None}


def test_list_form_examples_carry_their_own_metadata(all_forms: TrainingData) -> None:
    goodbyes = {e.text: e.language for e in all_forms.examples if e.intent == "goodbye"}
    assert goodbyes == {"ciao ciao": "it", "bye": None}


def test_retrieval_intent_is_an_ordinary_intent(all_forms: TrainingData) -> None:
    assert examples_of(all_forms, "faq/shipping") == ["do you ship abroad?"]


def test_annotations_are_stripped_and_recorded_as_spans(all_forms: TrainingData) -> None:
    prices = [e for e in all_forms.examples if e.intent == "ask_price"]
    texts = [e.text for e in prices]
    assert texts[:4] == [
        "how much is the XPS 13?",
        "price of the cheap one",
        "cost of that Mac",
        "is Dell cheaper than Apple",
    ]
    first = prices[0]
    (entity,) = first.entities
    assert first.text[entity.start : entity.end] == "XPS 13"
    assert (entity.entity, entity.value) == ("product", "XPS 13")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[XPS 13](product)", [("product", "XPS 13", "XPS 13")]),
        ("[the cheap one](product:ideapad-3)", [("product", "ideapad-3", "the cheap one")]),
        (
            '[that Mac]{"entity": "product", "value": "macbook-air"}',
            [("product", "macbook-air", "that Mac")],
        ),
        ('[Dell]{"entity": "brand"}', [("brand", "Dell", "Dell")]),
        (
            '[XPS][{"entity": "product", "value": "xps-13"}, {"entity": "brand", "value": "dell"}]',
            [("product", "xps-13", "XPS"), ("brand", "dell", "XPS")],
        ),
    ],
)
def test_each_annotation_form_gives_entity_value_and_text(
    raw: str, expected: list[tuple[str, str, str]]
) -> None:
    text, entities = parse_annotated(f"about {raw} please")
    assert [(e.entity, e.value, text[e.start : e.end]) for e in entities] == expected


def test_two_annotations_in_one_example_have_positions_in_the_plain_text() -> None:
    text, entities = parse_annotated("is [Dell](brand) cheaper than [Apple](brand)?")
    assert text == "is Dell cheaper than Apple?"
    assert [text[e.start : e.end] for e in entities] == ["Dell", "Apple"]


def test_brackets_not_followed_by_an_annotation_stay_literal() -> None:
    assert parse_annotated("the [sic] spelling") == ("the [sic] spelling", ())


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("how much is [XPS 13(product)", "unclosed '['"),
        ("how much is [XPS 13](product", "unclosed '('"),
        ("is [Dell]{entity: brand} cheap", "invalid entity JSON"),
        ('is [Dell]{"value": "dell"} cheap', '"entity" key'),
        ("is [Dell]() cheap", "empty entity name"),
        ("is [](brand) cheap", "empty entity text"),
    ],
)
def test_malformed_annotations_are_refused(raw: str, problem: str) -> None:
    with pytest.raises(AnnotationError) as raised:
        parse_annotated(raw)
    assert problem in str(raised.value)


def test_synonym_regex_and_lookup_blocks_are_kept(all_forms: TrainingData) -> None:
    assert [(s.value, s.examples) for s in all_forms.synonyms] == [
        ("macbook-air", ("MBA", "Macbook Air"))
    ]
    assert [(r.name, r.pattern) for r in all_forms.regexes] == [("order_id", r"\b[A-Z]{2}\d{6}\b")]
    assert [(t.name, t.elements) for t in all_forms.lookups] == [
        ("colour", ("silver", "space grey"))
    ]


def test_synonym_map_includes_annotations_with_another_value(all_forms: TrainingData) -> None:
    mapping = all_forms.synonym_map()
    assert mapping["mba"] == "macbook-air"
    assert mapping["that mac"] == "macbook-air"
    assert mapping["the cheap one"] == "ideapad-3"
    assert "xps 13" not in mapping  # value equals the text: not a synonym


def test_language_comes_from_the_file_name(tmp_path: Path) -> None:
    block = """
        nlu:
        - intent: greet
          examples: |
            - hello
        """
    write(tmp_path, "en.yml", block)
    write(tmp_path, "nlu_es.yaml", block)
    write(tmp_path, "it/nlu.yml", block)
    data = load_training_data(tmp_path)
    assert sorted(e.language or "" for e in data.examples) == ["en", "es", "it"]


def test_several_files_and_folders_load_together(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "shop", tmp_path / "shop")
    write(tmp_path, "shop/nested/domain.yml", "responses:\n  utter_greet:\n  - text: hi\n")
    data = load_training_data([tmp_path / "shop", ALL_FORMS])
    assert data.languages == {"en", "es", "it"}
    assert {"greet", "buy_product", "faq/shipping"} <= data.intents
    assert len(data.sources) == 4  # the domain file has no `nlu` key and is skipped


def test_fingerprint_ignores_file_names_and_order_but_not_content(tmp_path: Path) -> None:
    one = write(tmp_path, "a/one.yml", "nlu:\n- intent: a\n  examples: |\n    - x\n")
    two = write(tmp_path, "a/two.yml", "nlu:\n- intent: b\n  examples: |\n    - y\n")
    before = load_training_data([one, two]).fingerprint()
    assert load_training_data([two, one]).fingerprint() == before
    two.write_text("nlu:\n- intent: b\n  examples: |\n    - z\n", encoding="utf-8")
    assert load_training_data([one, two]).fingerprint() != before


BROKEN = [
    (
        "yaml syntax",
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n  - bad: [\n",
        5,
        "invalid YAML",
    ),
    ("nlu is not a list", "nlu:\n  intent: greet\n", 2, "must be a list"),
    ("item is not a mapping", "nlu:\n- greet\n", 2, "must be a mapping"),
    ("unknown block", "nlu:\n- intnt: greet\n  examples: |\n    - hi\n", 2, "none of the keys"),
    ("missing examples", "nlu:\n- intent: greet\n- intent: bye\n", 2, "has no `examples`"),
    (
        "empty intent name",
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n- intent:\n  examples: |\n    - x\n",
        5,
        "empty intent name",
    ),
    (
        "example without dash",
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n",
        5,
        "must start with '- '",
    ),
    (
        "unclosed bracket",
        "nlu:\n- intent: ask\n  examples: |\n    - ok\n    - price of [XPS 13(product)\n",
        5,
        "unclosed '['",
    ),
    (
        "empty example",
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n    -\n",
        5,
        "empty example",
    ),
    ("bad regex", "nlu:\n- regex: id\n  examples: |\n    - [a-\n", 4, "invalid regex"),
    ("empty examples", 'nlu:\n- intent: greet\n  examples: ""\n', 3, "has no examples"),
    ("bad version", 'version: "1.0"\nnlu: []\n', 1, "unsupported"),
    (
        "bad metadata",
        "nlu:\n- intent: greet\n  metadata: en\n  examples: |\n    - hi\n",
        3,
        "must be a mapping",
    ),
]


@pytest.mark.parametrize(
    ("content", "line", "problem"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_file_names_file_line_and_problem(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError) as raised:
        load_training_data(path)
    assert raised.value.path == str(path)
    assert raised.value.line == line
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_explicit_file_without_nlu_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "domain.yml", "responses: {}\n")
    with pytest.raises(TrainingDataError, match="no `nlu` key"):
        load_training_data(path)


def test_missing_path_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="no such file or folder"):
        load_training_data(tmp_path / "absent")
    with pytest.raises(TrainingDataError, match="no NLU training file"):
        load_training_data(tmp_path)


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yml"
    path.write_bytes("nlu:\n- intent: greet\n  examples: |\n    - ¡hola!\n".encode("latin-1"))
    with pytest.raises(TrainingDataError, match="not UTF-8"):
        load_training_data(path)


def test_examples_keep_entity_objects() -> None:
    text, entities = parse_annotated("[XPS 13](product)")
    assert entities == (Entity("product", "XPS 13", 0, 6, "XPS 13"),)
    assert text == "XPS 13"


def test_examples_as_a_plain_yaml_list_with_roles_groups_and_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nlu.yml",
        """
        version: "3.1"
        nlu:
        - intent: compare_products
          metadata:
            language: en
          examples:
          - 'is the [XPS 13]{"entity": "product", "role": "first"} better?'
          - text: |
              [MacBook Air]{"entity": "product", "role": "second", "group": "1"} or XPS?
            metadata:
              sentiment: neutral
          - plain text works too
        - synonym: xps-13
          examples:
          - XPS
          - xps thirteen
        """,
    )
    data = load_training_data(path)
    assert [e.text for e in data.examples] == [
        "is the XPS 13 better?",
        "MacBook Air or XPS?",
        "plain text works too",
    ]
    assert [e.entities[0].value for e in data.examples[:2]] == ["XPS 13", "MacBook Air"]
    assert {e.language for e in data.examples} == {"en"}
    assert data.synonyms[0].examples == ("XPS", "xps thirteen")


def test_a_file_with_responses_rules_and_stories_keeps_only_its_nlu(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "data.yml",
        """
        version: "3.1"
        intents:
        - greet
        responses:
          utter_greet:
          - text: "Hello!"
          utter_faq/shipping:
          - text: "We ship everywhere"
        rules:
        - rule: greet back
          steps:
          - intent: greet
          - action: utter_greet
        stories:
        - story: faq
          steps:
          - intent: faq
        nlu:
        - intent: greet
          examples: |
            - hello
        - intent: faq/shipping
          examples: |
            - do you ship to Spain?
        """,
    )
    data = load_training_data(path)
    assert data.intents == {"greet", "faq/shipping"}
    assert len(data.examples) == 2


def test_an_example_list_item_that_is_neither_text_nor_mapping_is_refused(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "bad.yml", "nlu:\n- intent: greet\n  examples:\n  - [1, 2]\n")
    with pytest.raises(TrainingDataError) as raised:
        load_training_data(path)
    assert raised.value.line == 4
    assert "needs a `text` key" in raised.value.problem
