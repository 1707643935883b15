"""Chat with the bot in a terminal, through the same pipeline as every other channel.

Type a message and press Enter; type the number of a button to press it; ``/quit`` ends.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from typing import TextIO

from rich.console import Console

from bot.channels.base import KIND_BUTTON, KIND_TEXT, Button, InboundMessage
from bot.channels.preformatted import plain_text
from bot.pipeline import InvalidMessage, Pipeline

CHANNEL = "terminal"


async def read_line(stream: TextIO) -> str | None:
    """One line from ``stream`` without blocking the event loop; None at end of input."""
    line = await asyncio.to_thread(stream.readline)
    return None if line == "" else line.rstrip("\n")


async def chat(
    pipeline: Pipeline,
    *,
    sender_id: str,
    language: str | None = None,
    stream: TextIO = sys.stdin,
    console: Console | None = None,
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> None:
    """Run the conversation loop until end of input or ``/quit``."""
    out = console or Console()
    out.print("[bold]journeybot[/bold] — type a message, a button number, or /quit")
    buttons: list[Button] = []
    while True:
        out.print("[cyan]you>[/cyan] ", end="")
        line = await read_line(stream)
        if line is None or line.strip() == "/quit":
            out.print("bye!")
            return
        if not line.strip():
            continue
        text, kind = line, KIND_TEXT
        if line.strip().isdigit() and 0 < int(line) <= len(buttons):
            text, kind = buttons[int(line) - 1].payload, KIND_BUTTON
        msg = InboundMessage(CHANNEL, sender_id, text, new_id(), kind, language_hint=language)
        try:
            result = await pipeline.handle(msg)
        except InvalidMessage as exc:
            out.print(f"[red]{exc}[/red]")
            continue
        buttons = []
        for reply in result.replies:
            out.print("[green]bot>[/green] ", end="")
            out.print(plain_text(reply.text), markup=False, highlight=False)
            buttons = list(reply.buttons)
            for i, button in enumerate(buttons, start=1):
                out.print(f"     [{i}] {button.title}", markup=False, highlight=False)
