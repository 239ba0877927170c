"""Local PostgreSQL 15 clusters for `make dev` and `make test`, plus the Supabase-CLI-style migration runner.

A cluster lives in a git-ignored folder under `.local/`, listens on 127.0.0.1 only, and is run as the
`postgres` OS user when we are root (the server refuses to run as root). Migrations are applied in version
order, each in its own transaction, and recorded in `supabase_migrations.schema_migrations` exactly as the
Supabase CLI records them (version, name, statements); re-running applies only new ones.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
BOOTSTRAP_SQL = ROOT / "infra" / "local" / "supabase_bootstrap.sql"
MIGRATIONS_DIR = ROOT / "supabase" / "migrations"
SEED_SQL = ROOT / "supabase" / "seed.sql"
_MIGRATION_NAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")


class LocalDbError(RuntimeError):
    """The local cluster could not be prepared; the message says which step failed."""


def _as_postgres_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(_as_postgres_user(cmd), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LocalDbError(f"{what} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


@dataclass(frozen=True)
class Cluster:
    """One local cluster: a data folder and a loopback port."""

    datadir: Path
    port: int
    database: str = "postgres"

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres:postgres@127.0.0.1:{self.port}/{self.database}"

    def admin_dsn(self) -> str:
        return f"postgresql://postgres:postgres@127.0.0.1:{self.port}/postgres"

    @property
    def logfile(self) -> Path:
        return self.datadir.parent / f"{self.datadir.name}.log"

    def exists(self) -> bool:
        return (self.datadir / "PG_VERSION").is_file()

    def is_running(self) -> bool:
        if not self.exists():
            return False
        result = subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "status"]),
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def init(self) -> None:
        """Create the cluster (trust auth on loopback only; it never listens elsewhere)."""
        if not (PG_BIN / "initdb").exists():
            raise LocalDbError(f"PostgreSQL 15 binaries not found in {PG_BIN}: run `make install`")
        self.datadir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(self.datadir.parent, "postgres", "postgres")
        _run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.datadir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            "initdb",
        )
        with (self.datadir / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                "\n# SkillSwap local cluster\n"
                "max_connections = 200\n"
                "shared_buffers = '256MB'\n"
                "fsync = on\n"
                "synchronous_commit = on\n"
                "timezone = 'UTC'\n"
            )

    def start(self) -> None:
        if self.is_running():
            return
        if not self.exists():
            self.init()
        _run(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-o",
                f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1",
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                "60",
                "start",
            ],
            f"starting Postgres on 127.0.0.1:{self.port} (log: {self.logfile})",
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.admin_dsn(), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise LocalDbError(f"Postgres on port {self.port} is not answering: {exc}") from exc
                time.sleep(0.2)

    def stop(self) -> None:
        if self.is_running():
            _run([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"], "pg_ctl stop")

    def recreate_database(self) -> None:
        """Drop and create `self.database` (used for the throwaway test database)."""
        if self.database == "postgres":
            raise LocalDbError("refusing to drop the maintenance database")
        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{self.database}" with (force)')
            conn.execute(f'create database "{self.database}"')


def migration_files() -> list[tuple[str, str, Path]]:
    """(version, name, path) of every migration, in version order; a misnamed file is an error."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise LocalDbError(f"migration {path.name} is not named <14-digit timestamp>_<name>.sql")
        found.append((match["version"], match["name"], path))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise LocalDbError("two migrations share a version")
    return found


def apply_bootstrap(dsn: str, *, with_pgtap: bool = False) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(BOOTSTRAP_SQL.read_text())
        if with_pgtap:
            conn.execute("create extension if not exists pgtap with schema extensions")
        dbname = conn.info.dbname
        conn.execute(f'alter database "{dbname}" set search_path = "$user", public, extensions')


def apply_migrations(dsn: str) -> list[str]:
    """Apply every migration not yet recorded; return the versions applied now."""
    applied_now: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        done = {row[0] for row in conn.execute("select version from supabase_migrations.schema_migrations")}
        for version, name, path in migration_files():
            if version in done:
                continue
            sql = path.read_text()
            try:
                with conn.transaction():
                    conn.execute(sql)
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations (version, name, statements)"
                        " values (%s, %s, %s)",
                        (version, name, [sql]),
                    )
            except psycopg.Error as exc:
                raise LocalDbError(f"migration {path.name} failed: {exc}") from exc
            applied_now.append(version)
    return applied_now


def apply_seed(dsn: str, seed: Path = SEED_SQL) -> bool:
    """Load the seed once (recorded in supabase_migrations.seed_files with its hash); True if loaded now."""
    sql = seed.read_text()
    digest = hashlib.sha256(sql.encode()).hexdigest()
    rel = str(seed.relative_to(ROOT))
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select hash from supabase_migrations.seed_files where path = %s", (rel,)).fetchone()
        if row is not None:
            return False
        with conn.transaction():
            conn.execute(sql)
            conn.execute("insert into supabase_migrations.seed_files (path, hash) values (%s, %s)", (rel, digest))
    return True


def prepare(cluster: Cluster, *, seed: bool, with_pgtap: bool = False) -> list[str]:
    """Start the cluster if needed, bootstrap, migrate and (optionally) seed. Returns versions applied now."""
    cluster.start()
    if cluster.database != "postgres":
        with psycopg.connect(cluster.admin_dsn(), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (cluster.database,)).fetchone()
            if exists is None:
                conn.execute(f'create database "{cluster.database}"')
    apply_bootstrap(cluster.dsn, with_pgtap=with_pgtap)
    applied = apply_migrations(cluster.dsn)
    if seed:
        apply_seed(cluster.dsn)
    return applied
