"""Support conversations, as far as the bot's side goes: closing one after a person helped.

Closing asks the customer, shortly after (the journey map's ``support_csat`` cadence), how
the service was: a CSAT question with the same rules as every other (``journeys.reviews``).
"""

from __future__ import annotations

from datetime import datetime

from bot.transaction import apply_commands
from journeys.journey_map import JourneyMap
from journeys.reviews import support_closed
from storage.uow import UnitOfWorkFactory


class UnknownConversation(LookupError):
    """No open conversation has this id."""


async def close_conversation(
    uow: UnitOfWorkFactory, conversation_id: int, journey_map: JourneyMap, now: datetime
) -> None:
    """Close an open conversation and schedule its CSAT question, in one transaction."""
    async with uow() as unit:
        customer_id = await unit.conversations.close(conversation_id)
        if customer_id is None:
            raise UnknownConversation(f"no open conversation has id {conversation_id}")
        commands = support_closed(conversation_id, now, journey_map)
        await apply_commands(unit, commands, customer_id, conversation_id, now)
        await unit.commit()
