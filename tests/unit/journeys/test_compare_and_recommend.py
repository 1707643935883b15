"""Side-by-side comparisons and recommendations by need, category and budget (demo shop)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from journeys.dialogue import decide
from journeys.model import FENCE, Decision
from journeys.recommend import Budget, budget_of
from nlu.types import Entity
from tests.builders import customer_state, demo_shop, interpretation

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def ask(
    intent: str,
    message: str,
    *products: str,
    amount: str | None = None,
    language: str = "en",
    before: tuple[str, ...] = (),
) -> Decision:
    entities = [Entity("product", p, 0, 0, p) for p in products]
    if amount is not None:
        entities.append(Entity("amount", amount, 0, 0, amount))
    asked = interpretation(intent, language=language, entities=tuple(entities), text=message)
    return decide(customer_state(language=language, last_products=before), asked, NOW, demo_shop())


def table_lines(decision: Decision) -> list[str]:
    """The lines of the reply's one preformatted block (the table)."""
    (reply,) = decision.replies
    lines = reply.text.splitlines()
    start, end = (i for i, line in enumerate(lines) if line == FENCE)
    return lines[start + 1 : end]


def test_the_table_is_aligned_and_marks_the_rows_that_differ() -> None:
    lines = table_lines(
        ask("compare_products", "XPS 13 vs MacBook Air", "xps-13", "macbook-air-13")
    )

    assert all(" | " in line for line in lines)
    assert len({line.index(" | ") for line in lines}) == 1
    assert lines[0].split(" | ")[1:] == ["Dell XPS 13         ", "MacBook Air 13 M3"]
    rows = {line[2:].split(" | ")[0].strip(): line[0] for line in lines[1:]}
    assert rows["Price"] == "*"
    assert rows["Weight"] == "*"
    assert rows["RAM"] == " "  # 16 GB and 16 GB LPDDR5x are the same amount of RAM
    assert rows["Graphics"] == "*"  # only one of them lists it


def test_the_table_comes_as_data_too_with_the_same_differences() -> None:
    decision = ask("compare_products", "XPS 13 vs MacBook Air", "xps-13", "macbook-air-13")
    (reply,) = decision.replies
    assert reply.table is not None

    assert reply.table.columns == ("Dell XPS 13", "MacBook Air 13 M3")
    rows = {row.label: row for row in reply.table.rows}
    assert rows["Price"].cells == ("€1,299.00", "€1,249.00")
    assert (rows["Price"].differs, rows["RAM"].differs) == (True, False)
    marked = {line[2:].split(" | ")[0].strip() for line in table_lines(decision)[1:]
              if line.startswith("*")}  # fmt: skip
    assert marked == {row.label for row in reply.table.rows if row.differs}


def test_the_verdict_answers_the_spec_asked_about() -> None:
    decision = ask("compare_products", "which is lighter?", "macbook-air-13", "xps-13")

    last_line = decision.replies[0].text.splitlines()[-1]
    assert last_line == "The Dell XPS 13 is lighter (1190 g; MacBook Air 13 M3: 1240 g)."
    assert decision.products == ("macbook-air-13", "xps-13")


def test_a_spec_that_is_the_same_says_so() -> None:
    decision = ask("compare_products", "which one has more RAM?", "macbook-air-13", "zenbook-14")

    assert decision.replies[0].text.endswith("RAM: the same on both (16 GB).")


def test_without_a_question_the_verdict_is_on_the_biggest_difference() -> None:
    decision = ask("compare_products", "compare them", "ideapad-slim-3", "zenbook-14")

    assert decision.replies[0].text.endswith(
        "The Lenovo IdeaPad Slim 3 is cheaper (€549.00; ASUS Zenbook 14 OLED: €999.00)."
    )


def test_one_product_named_is_compared_with_the_one_discussed() -> None:
    decision = ask("compare_products", "how does it compare to the Zenbook?", "zenbook-14",
                   before=("xps-13",))  # fmt: skip

    assert decision.products == ("xps-13", "zenbook-14")


def test_a_word_for_several_products_compares_them() -> None:
    decision = ask("compare_products", "which MacBook should I get?")

    assert decision.products == ("macbook-air-13", "macbook-pro-14")


def test_with_fewer_than_two_products_the_customer_is_asked_which() -> None:
    decision = ask("compare_products", "can you compare two laptops for me?")

    assert decision.replies[0].template == "compare_products"
    assert decision.products == ()


def test_a_light_laptop_under_a_budget_picks_the_lightest_in_stock_within_it() -> None:
    decision = ask("describe_need", "a light laptop for travel under 900€", amount="..900")

    assert decision.replies[0].text == (
        "Here's what I'd suggest (light for travel, laptops, up to €900):\n"
        "1. Acer Swift Go 14 – €849.00: 1320 g, 12 h of battery\n"
        "2. Lenovo IdeaPad Slim 3 – €549.00: 1620 g, 9 h of battery\n"
        "3. Acer Aspire 5 – €629.00: 1780 g, 8 h of battery"
    )
    assert decision.products == ("acer-swift-go-14", "ideapad-slim-3", "acer-aspire-5")
    assert decision.context_products == decision.products


def test_the_picks_come_as_cards_with_their_reasons() -> None:
    decision = ask("describe_need", "a light laptop for travel under 900€", amount="..900")
    (reply,) = decision.replies

    first = reply.cards[0]
    assert [c.name for c in reply.cards] == [
        "Acer Swift Go 14", "Lenovo IdeaPad Slim 3", "Acer Aspire 5"
    ]  # fmt: skip
    assert (first.price, first.description) == ("€849.00", "1320 g, 12 h of battery")
    assert first.stock in {"in", "low"} and (first.url or "").startswith("https://")
    assert reply.attachment() == {"cards": [c.to_dict() for c in reply.cards]}


def test_an_out_of_stock_product_is_never_recommended() -> None:
    decision = ask("ask_recommendation", "the cheapest laptop please", amount="..700")

    assert "hp-pavilion-15" not in decision.products  # €699, but out of stock
    assert decision.products == ("ideapad-slim-3", "acer-aspire-5")


def test_nothing_within_the_budget_offers_the_closest_and_says_so() -> None:
    decision = ask("ask_recommendation", "a gaming laptop under 1500 euros", amount="..1500")

    (text,) = [r.text for r in decision.replies]
    assert text.startswith("Nothing in stock matches all of that (gaming, laptops, up to €1,500)")
    assert decision.products == ("rog-zephyrus-g14",)


def test_the_category_asked_wins_over_a_need_for_another_category() -> None:
    decision = ask("ask_recommendation", "what's the best monitor for photo editing?")

    assert decision.products == ("ultrasharp-27", "lg-24-monitor")


def test_a_spanish_recommendation_reads_in_spanish() -> None:
    decision = ask("ask_recommendation", "un portátil para estudiantes", language="es")

    assert decision.replies[0].text.startswith(
        "Esto es lo que te recomiendo (estudiar, portátiles):\n"
        "1. Lenovo IdeaPad Slim 3 – 549,00 €: 16 GB de RAM y 512 GB SSD"
    )


def test_without_any_criteria_the_recommendation_template_asks_what_for() -> None:
    decision = ask("ask_recommendation", "what would you recommend?")

    assert decision.replies[0].template == "ask_recommendation"


def test_a_product_question_without_a_product_but_with_a_need_recommends() -> None:
    decision = ask("ask_price", "how much is your cheapest laptop?")

    assert decision.products[0] == "ideapad-slim-3"


@pytest.mark.parametrize(
    ("value", "budget"),
    [
        ("..900", Budget(None, Decimal(900))),
        ("1000..", Budget(Decimal(1000), None)),
        ("500..900", Budget(Decimal(500), Decimal(900))),
        ("900", Budget(None, Decimal(900))),
        ("~800", Budget(None, Decimal("880.0"))),
    ],
)
def test_budgets_read_from_the_amount_entity(value: str, budget: Budget) -> None:
    asked = interpretation("describe_need", entities=(Entity("amount", value, 0, 0),))

    assert budget_of(asked) == budget
