"""Fixtures shared by every test: databases (SQLite and a throw-away PostgreSQL), settings."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Services
from bot.settings import DatabaseSettings, NluSettings, Settings, TelegramSettings, WebSettings
from bot.web.app import build_web_app
from storage.migrate import upgrade
from tests.postgres import find_pg_ctl, postgres_server

_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server started for this test session."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        pytest.skip("no PostgreSQL binaries (pg_ctl) on this machine: apt-get install postgresql")
    with postgres_server(pg_ctl) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    """A migrated template database; each test copies it (fast CREATE DATABASE ... TEMPLATE)."""
    _admin_sql(postgres_admin_url, "CREATE DATABASE journeybot_template")
    upgrade(_database(postgres_admin_url, "journeybot_template"))
    return "journeybot_template"


def _admin_sql(admin_url: str, sql: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _database(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'journeybot.db'}"
        upgrade(url)
        return url
    admin = request.getfixturevalue("postgres_admin_url")
    template = request.getfixturevalue("postgres_template")
    name = f"journeybot_test_{next(_db_numbers)}"
    _admin_sql(admin, f"CREATE DATABASE {name} TEMPLATE {template}")
    return _database(admin, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unmigrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database with no tables yet (for migration tests): SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}"
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"journeybot_unmigrated_{next(_db_numbers)}"
    _admin_sql(admin, f"CREATE DATABASE {name}")
    return _database(admin, name)


def make_settings(database_url: str, tmp_path: Path, **web: object) -> Settings:
    """Settings for a test: the given database, NLU cache under ``tmp_path``, no .env."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=DatabaseSettings(_env_file=None, url=database_url, migrate_on_start=False),  # type: ignore[call-arg]
        nlu=NluSettings(_env_file=None, cache_dir=tmp_path / "nlu-cache"),  # type: ignore[call-arg]
        telegram=TelegramSettings(_env_file=None),  # type: ignore[call-arg]
        web=WebSettings(_env_file=None, **web),  # type: ignore[call-arg]
    )


@pytest.fixture
async def client(services: Services) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The web app of the test module's ``services`` fixture, on a loopback test server."""
    async with TestClient(TestServer(build_web_app(services))) as test_client:
        yield test_client
