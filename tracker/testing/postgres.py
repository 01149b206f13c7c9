"""A throwaway PostgreSQL cluster on loopback: Debian's server binaries, a temporary folder, a free
port, fsync off. Started in about a second, so the test suite and the benchmark can run on a real
server without one being set up; ``TRACKER_TEST_POSTGRES_URL`` points them at an existing one instead.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user the package
creates.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class PostgresUnavailable(RuntimeError):
    """No server binaries here (install Debian's postgresql-15) or the server would not start."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@dataclass
class Cluster:
    folder: Path
    port: int
    bin_dir: Path

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """Start a new cluster; the caller stops it (``Cluster.stop``)."""
    if not BIN_DIRS:
        raise PostgresUnavailable(
            "PostgreSQL's server is not installed (Debian: apt-get install postgresql-15)"
        )
    bin_dir = BIN_DIRS[0]
    folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    steps = [
        [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust", "-U", "postgres"],
        [
            str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l", str(folder / "log"), "-o",
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            # not UTC, so that a date taken from a timestamp in the session's zone shows up in tests
            "-c timezone=Asia/Shanghai",
            "start",
        ],
    ]  # fmt: skip
    for args in steps:
        done = subprocess.run(_as_postgres(args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {done.stderr.strip() or log.strip()}")
    return Cluster(folder=folder, port=port, bin_dir=bin_dir)


def create_database(admin_url: str, name: str, *, template: str | None = None) -> None:
    """CREATE DATABASE, optionally as a copy of ``template`` (which must have no open connections)."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            suffix = f" TEMPLATE {_ident(template)}" if template else ""
            connection.exec_driver_sql(f"CREATE DATABASE {_ident(name)}{suffix}")
    finally:
        engine.dispose()


def drop_database(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")
    finally:
        engine.dispose()


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'
