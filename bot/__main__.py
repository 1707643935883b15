"""The ``journeybot`` command line: argument parsing only; the work is elsewhere."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

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
    _add_nlu_train_test(nlu_sub)
    _add_catalogue_parser(sub)
    reviews = sub.add_parser("reviews", help="satisfaction and review figures")
    reviews_sub = reviews.add_subparsers(dest="reviews_command", required=True)
    summary = reviews_sub.add_parser("summary", help="CSAT and the review funnel")
    summary.add_argument("--since", type=_duration, default="30d", help="period, e.g. 7d (30d)")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    conversations = sub.add_parser("conversations", help="support conversations")
    conversations_sub = conversations.add_subparsers(dest="conversations_command", required=True)
    close = conversations_sub.add_parser(
        "close", help="close a conversation after support; its CSAT question follows"
    )
    close.add_argument("id", type=int, help="the conversation's id")
    users = sub.add_parser("users", help="staff accounts for the console")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a user (the password is asked for)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["agent", "marketer", "admin"])
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.add_argument("--telegram-id", help="their Telegram user id, to answer from the staff group")
    users_sub.add_parser("list", help="list the users")
    tokens = sub.add_parser("tokens", help="API tokens for the analytics API")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    token = tokens_sub.add_parser("add", help="create a token (printed once)")
    token.add_argument("name")
    token.add_argument("--role", required=True, choices=["agent", "marketer", "admin"])
    export = sub.add_parser("export", help="export data")
    export.add_argument("what", choices=["touchpoints"])
    export.add_argument("--format", choices=["csv", "jsonl", "parquet"], default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--since", type=_duration, help="only the last ..., e.g. 30d")
    export.add_argument("--no-text", action="store_true", help="leave message text out")
    report = sub.add_parser("report", help="the journey report in the terminal")
    report.add_argument("--since", type=_duration, default="30d", help="period (30d)")
    report.add_argument("--channel", help="only this channel")
    report.add_argument("--html", help="also write a self-contained HTML report here")
    return parser


def _password(from_stdin: bool) -> str | None:
    """The new user's password: one line of standard input, or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        print("journeybot: the passwords differ", file=sys.stderr)
        return None
    return first


def _duration(text: str) -> timedelta:
    from journeys.policies import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; try 7d, 12h or 2w") from exc


def _add_catalogue_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalogue = sub.add_parser("catalogue", help="the shop's products")
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    imported = catalogue_sub.add_parser(
        "import", help="check a CSV or JSON file of products and write catalogue.yml"
    )
    imported.add_argument("file", help="a .csv or .json file")
    imported.add_argument("--merge", action="store_true", help="add/replace by id, keep the rest")
    listed = catalogue_sub.add_parser("list", help="show the loaded products")
    listed.add_argument("--json", action="store_true", help="one JSON object per line")
    for parser in (imported, listed):
        parser.add_argument("--shop-dir", help="the shop's content folder (default: settings)")


def _add_nlu_train_test(nlu_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = nlu_sub.add_parser("train", help="train the embedded NLU model on Rasa YAML")
    train.add_argument("--data", type=Path, nargs="+", default=[], help="files or folders")
    train.add_argument("--out", type=Path, help="model file (default models/nlu-DATE.joblib)")
    test = nlu_sub.add_parser("test", help="evaluate intents, write Rasa's report files")
    test.add_argument("--data", type=Path, nargs="+", default=[], help="test files or folders")
    test.add_argument("--model", type=Path, help="model file (default: the service's model)")
    test.add_argument("--out", type=Path, default=Path("results"), help="report folder")
    test.add_argument(
        "--cross-validation", action="store_true", help="k-fold on --data (default nlu/data)"
    )
    test.add_argument("--folds", type=int, default=5, help="folds for --cross-validation")


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
    if args.command == "nlu" and args.nlu_command != "parse":
        return _nlu_train_test(settings, args)
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
    if args.command == "catalogue":
        from bot.catalogue_cli import run

        return run(args, settings.shop_dir)
    if args.command == "reviews":
        return asyncio.run(commands.reviews_summary(settings, args.since, args.json))
    if args.command == "users":
        if args.users_command == "list":
            return asyncio.run(commands.list_users(settings))
        password = _password(args.password_stdin)
        if password is None:
            return 1
        return asyncio.run(
            commands.add_user(settings, args.name, args.role, password, args.telegram_id)
        )
    if args.command == "tokens":
        return asyncio.run(commands.add_token(settings, args.name, args.role))
    if args.command == "export":
        return asyncio.run(
            commands.export_touchpoints(
                settings, args.format, args.out, args.since, not args.no_text
            )
        )
    if args.command == "report":
        return asyncio.run(commands.report(settings, args.since, args.channel, args.html))
    if args.command == "conversations":
        return asyncio.run(commands.close_conversation(settings, args.id))
    if args.command == "nlu" and args.nlu_command == "parse":
        result = asyncio.run(commands.nlu_parse(settings, args.text))
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    return 2


def _nlu_train_test(settings: Settings, args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot import nlu_cli

    if args.nlu_command == "train":
        return nlu_cli.train(settings, args.data, args.out, Console())
    if not args.data and not args.cross_validation:
        print("journeybot nlu test: give --data TEST or --cross-validation", file=sys.stderr)
        return 2
    options = nlu_cli.TestOptions(
        tuple(args.data), args.model, args.out, args.cross_validation, args.folds
    )
    return nlu_cli.test(settings, options, Console())


if __name__ == "__main__":
    sys.exit(main())
