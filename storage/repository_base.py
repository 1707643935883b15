"""The base of every repository: the unit of work's connection and two small helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from storage import statements as s
from storage import tables as t


class Repository:
    """Runs prebuilt statements on the unit of work's connection; never commits."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def insert(self, model: type[t.Base], values: dict[str, Any]) -> int:
        """Insert one row; return its id."""
        result = await self.connection.execute(s.insert_returning_id(model), values)
        return int(result.scalar_one())

    async def insert_many(self, model: type[t.Base], rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows with one statement; return their ids in row order.

        Rows get ascending ids in the order they are inserted, so sorting the returned ids
        restores row order whatever order RETURNING reports them in.
        """
        if len(rows) == 1:
            return [await self.insert(model, rows[0])]
        result = await self.connection.execute(s.insert_returning_id(model), list(rows))
        return sorted(int(i) for i in result.scalars().all())

    async def update(self, model: type[t.Base], row_id: int, values: dict[str, Any]) -> None:
        """Set columns of one row (nothing to do without values)."""
        if values:
            await self.connection.execute(s.update_by_id(model), {"b_id": row_id, **values})
