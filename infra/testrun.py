"""`make test` after lint: a throwaway Postgres cluster (own port and folder, never the dev one), the whole
pytest suite against it, then every pgTAP file through pg_prove; the cluster is stopped whatever happens."""

from __future__ import annotations

import os
import subprocess
import sys

from infra.localdb import Cluster, LocalDbError, prepare
from infra.localenv import ROOT, TEST_DATA_DIR, TEST_DATABASE, TEST_DB_PORT


def main(argv: list[str]) -> int:
    cluster = Cluster(TEST_DATA_DIR, TEST_DB_PORT, TEST_DATABASE)
    try:
        cluster.start()
        cluster.recreate_database()
        prepare(cluster, seed=False, with_pgtap=True)
    except LocalDbError as exc:
        print(f"testrun: {exc}", file=sys.stderr)
        cluster.stop()
        return 1
    env = {**os.environ, "TEST_DATABASE_URL": cluster.dsn}
    try:
        pytest_rc = subprocess.call([sys.executable, "-m", "pytest", *argv], cwd=ROOT, env=env)
        tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "supabase" / "tests" / "database").glob("*.sql"))
        prove_rc = subprocess.call(
            [
                "pg_prove",
                "--host",
                "127.0.0.1",
                "--port",
                str(cluster.port),
                "--username",
                "postgres",
                "--dbname",
                cluster.database,
                *tests,
            ],
            cwd=ROOT,
            env=env,
        )
    finally:
        cluster.stop()
    if pytest_rc != 0 or prove_rc != 0:
        print(f"testrun: FAILED (pytest exit {pytest_rc}, pg_prove exit {prove_rc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
