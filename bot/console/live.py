"""Live updates for the console: which conversation changed, pushed to every open console.

In-process: every worker tells its own consoles. (Several workers behind a load balancer
would share these through Redis pub/sub; one worker needs nothing more.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

QUEUE_SIZE = 100


class LiveUpdates:
    """A fan-out of conversation ids to subscribed console sockets."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[int]] = set()
        self._listeners: list[Callable[[int], None]] = []

    def changed(self, conversation_id: int) -> None:
        """Tell every console that ``conversation_id`` changed (a full queue drops it: that
        console reloads the queue on its next event anyway), and every listener."""
        for queue in self._subscribers:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(conversation_id)
        for listener in self._listeners:
            listener(conversation_id)

    def add_listener(self, listener: Callable[[int], None]) -> None:
        """Call ``listener`` (which must not block) with every changed conversation id."""
        self._listeners.append(listener)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[int]]:
        """A queue of changed conversation ids, for as long as the block runs."""
        queue: asyncio.Queue[int] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
