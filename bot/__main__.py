"""The ``journeybot`` command line: argument parsing only; the work is elsewhere."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="journeybot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service (web chat, REST, Telegram)")
    serve.add_argument("--host", help="address to listen on (default JOURNEYBOT_HOST)")
    serve.add_argument("--port", type=int, help="port (default JOURNEYBOT_PORT)")
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--sender", default=None, help="who you are (default: your user name)")
    chat.add_argument("--language", choices=["en", "es", "it"], help="your language")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="upgrade: apply every migration")
    tps = sub.add_parser("touchpoints", help="list stored touchpoints")
    tps.add_argument("--customer", metavar="SENDER", help="only this sender's touchpoints")
    tps.add_argument("--json", action="store_true", help="one JSON object per line")
    tps.add_argument("--limit", type=int, default=None, help="at most this many")
    nlu = sub.add_parser("nlu", help="natural language understanding")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    parse = nlu_sub.add_parser("parse", help="interpret one text, print Rasa-style JSON")
    parse.add_argument("text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``journeybot`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"journeybot: bad configuration:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from bot import commands

    if args.command == "serve":
        host = args.host or settings.web.host
        port = args.port or settings.web.port
        from bot.serve import serve

        asyncio.run(serve(settings, host, port))
        return 0
    if args.command == "chat":
        sender = args.sender or getpass.getuser()
        return asyncio.run(commands.chat(settings, sender, args.language))
    if args.command == "db":
        return commands.db_upgrade(settings)
    if args.command == "touchpoints":
        return asyncio.run(commands.touchpoints(settings, args.customer, args.json, args.limit))
    if args.command == "nlu" and args.nlu_command == "parse":
        result = asyncio.run(commands.nlu_parse(settings, args.text))
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
