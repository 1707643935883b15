"""Replies with preformatted blocks, as each channel shows them."""

from __future__ import annotations

from bot.channels.preformatted import Part, parts, plain_text, telegram_html
from journeys.model import preformatted

TABLE = "  | XPS 13 | Air\n* price | €1,299.00 | €1,249.00"
REPLY = f"Side by side:\n{preformatted(TABLE)}\nThe Air is cheaper."


def test_a_block_between_fences_is_preformatted_and_the_rest_plain() -> None:
    assert parts(REPLY) == [
        Part("Side by side:"),
        Part(TABLE, preformatted=True),
        Part("The Air is cheaper."),
    ]


def test_a_fence_without_its_partner_is_ordinary_text() -> None:
    cut = "Side by side:\n```\n  | XPS 13 | Air"  # the end went to the next message
    assert parts(cut) == [Part(cut)]
    assert parts("") == [Part("")]


def test_the_terminal_shows_the_table_without_fences() -> None:
    assert plain_text(REPLY) == f"Side by side:\n{TABLE}\nThe Air is cheaper."


def test_telegram_gets_the_table_in_pre_and_every_special_character_escaped() -> None:
    html = telegram_html(f"<b>not bold</b> & more\n{preformatted('a < b')}")
    assert html == "&lt;b&gt;not bold&lt;/b&gt; &amp; more\n<pre>a &lt; b</pre>"
