"""A throw-away PostgreSQL server for the test session, started with pytest-postgresql's
executor on the machine's own ``pg_ctl``.

``initdb`` refuses to run as root, so when the tests run as root the executor calls
``pg_ctl`` through a small wrapper that runs it as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytest_postgresql.executors.proc import PostgreSQLExecutor


def find_pg_ctl() -> str | None:
    """The newest ``pg_ctl`` on this machine, or None."""
    found = shutil.which("pg_ctl")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return candidates[-1] if candidates else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user(pg_ctl: str, workdir: Path) -> str:
    """A wrapper running ``pg_ctl`` as ``postgres`` (root may not run initdb)."""
    wrapper = workdir / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\ncd /tmp && exec runuser -u postgres -- "{pg_ctl}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    shutil.chown(workdir, "postgres", "postgres")
    return str(wrapper)


@contextmanager
def postgres_server(pg_ctl: str) -> Iterator[str]:
    """Start a server; yield its admin URL (``postgresql://postgres@127.0.0.1:PORT/postgres``)."""
    workdir = Path(tempfile.mkdtemp(prefix="journeybot-pg-"))
    workdir.chmod(0o755)
    executable = _as_postgres_user(pg_ctl, workdir) if os.geteuid() == 0 else pg_ctl
    port = _free_port()
    executor = PostgreSQLExecutor(
        executable=executable,
        host="127.0.0.1",
        port=port,
        datadir=str(workdir / "data"),
        unixsocketdir=str(workdir),
        logfile=str(workdir / "postgres.log"),
        startparams="-w",
        dbname="postgres",
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    )
    executor.start()
    executor.wait_for_postgres()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        executor.stop()
        shutil.rmtree(workdir, ignore_errors=True)
