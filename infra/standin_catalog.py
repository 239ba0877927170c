"""The platform objects SkillSwap relies on, read from a database's catalog, so the local stand-in can be held to
a checked-in description of Supabase as it is (`infra/local/platform_catalog.json`).

`python -m infra.standin_catalog DSN` prints the description of a database; `--write` replaces the checked-in
file (review the diff against the upstream sources named in infra/local/supabase_bootstrap.sql before you
commit it). tests/infrastructure/test_standin_catalog.py fails when the stand-in and the file differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

CATALOG_FILE = Path(__file__).resolve().parent / "local" / "platform_catalog.json"

ROLES = (
    "anon",
    "authenticated",
    "service_role",
    "authenticator",
    "supabase_auth_admin",
    "supabase_realtime_admin",
    "supabase_storage_admin",
)
API_ROLES = ("anon", "authenticated", "service_role")
RELATIONS = ("auth.users", "auth.identities", "realtime.messages", "storage.buckets", "storage.objects")
FUNCTIONS = (
    "auth.uid()",
    "auth.role()",
    "auth.email()",
    "auth.jwt()",
    "realtime.topic()",
    "realtime.send(jsonb,text,text,boolean)",
    "storage.foldername(text)",
    "storage.filename(text)",
    "storage.extension(text)",
)
SCHEMAS = ("auth", "realtime", "storage", "extensions", "public")

_ROLE_SQL = """
select r.rolname, r.rolcanlogin as login, r.rolinherit as inherit, r.rolbypassrls as bypassrls,
       r.rolcreaterole as createrole, r.rolreplication as replication, r.rolsuper as superuser,
       coalesce((select array_agg(g.rolname order by g.rolname) from pg_auth_members m
                 join pg_roles g on g.oid = m.roleid where m.member = r.oid
                 and g.rolname = any(%(roles)s)), '{}') as member_of,
       coalesce((select array_agg(s order by s) from unnest(r.rolconfig) s), '{}') as settings
from pg_roles r where r.rolname = any(%(roles)s) order by r.rolname
"""

_COLUMNS_SQL = """
select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
       case when a.attgenerated = 's' then 'generated: ' || pg_get_expr(d.adbin, d.adrelid)
            when d.adbin is not null then 'default: ' || pg_get_expr(d.adbin, d.adrelid) end as default
from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = %(rel)s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum
"""

_RELATION_SQL = """
select c.relkind::text as kind, pg_get_userbyid(c.relowner) as owner, c.relrowsecurity as rls,
       pg_get_partkeydef(c.oid) as partition_key,
       (select pg_get_constraintdef(k.oid) from pg_constraint k
         where k.conrelid = c.oid and k.contype = 'p') as primary_key,
       coalesce((select array_agg(r.rolname || ':' || a.privilege_type order by r.rolname, a.privilege_type)
                 from aclexplode(c.relacl) a join pg_roles r on r.oid = a.grantee
                 where r.rolname = any(%(api)s)), '{}') as api_grants,
       -- Policies on realtime.messages and storage.objects are ours (migrations); on the auth tables and
       -- storage.buckets the platform has none.
       coalesce((select array_agg(p.policyname order by p.policyname) from pg_policies p
                 where p.schemaname = n.nspname and p.tablename = c.relname
                 and n.nspname not in ('realtime', 'storage')), '{}')
         as platform_policies
from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = %(rel)s::regclass
"""

_FUNCTION_SQL = """
select pg_get_function_result(p.oid) as returns, p.prosecdef as security_definer, p.provolatile::text as volatility,
       pg_get_userbyid(p.proowner) as owner,
       (select l.lanname from pg_language l where l.oid = p.prolang)::text as lang,
       coalesce((select array_agg(case when a.grantee = 0 then 'PUBLIC' else r.rolname end order by 1)
                 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                 left join pg_roles r on r.oid = a.grantee
                 where a.privilege_type = 'EXECUTE' and (a.grantee = 0 or r.rolname = any(%(api)s))), '{}')
         as api_execute
from pg_proc p where p.oid = %(fn)s::regprocedure
"""

_SCHEMA_SQL = """
select coalesce(array_agg(r.rolname || ':' || a.privilege_type order by r.rolname, a.privilege_type), '{}') as api
from pg_namespace n, aclexplode(n.nspacl) a join pg_roles r on r.oid = a.grantee
where n.nspname = %(schema)s and r.rolname = any(%(api)s)
"""

# Default privileges that would hand new objects in `public` to an API role (platform: none since 2026-10-30).
_DEFAULT_ACL_SQL = """
select coalesce(array_agg(pg_get_userbyid(d.defaclrole) || ':' || d.defaclobjtype::text || ':' || r.rolname || ':'
                          || a.privilege_type order by 1), '{}') as grants
from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
join pg_roles r on r.oid = a.grantee
where n.nspname = 'public' and r.rolname = any(%(api)s)
"""


def describe(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The description of the platform objects we rely on, as this database has them."""
    cur = conn.cursor(row_factory=dict_row)
    out: dict[str, Any] = {"roles": {}, "schemas": {}, "relations": {}, "functions": {}}
    for role in cur.execute(_ROLE_SQL, {"roles": list(ROLES)}).fetchall():
        out["roles"][role.pop("rolname")] = role
    for schema in SCHEMAS:
        acl = cur.execute(_SCHEMA_SQL, {"schema": schema, "api": list(API_ROLES)}).fetchone()
        out["schemas"][schema] = {"api_privileges": acl["api"] if acl else []}
    for rel in RELATIONS:
        relation = cur.execute(_RELATION_SQL, {"rel": rel, "api": list(API_ROLES)}).fetchone()
        assert relation is not None
        relation["columns"] = cur.execute(_COLUMNS_SQL, {"rel": rel}).fetchall()
        out["relations"][rel] = relation
    for fn in FUNCTIONS:
        function = cur.execute(_FUNCTION_SQL, {"fn": fn, "api": list(API_ROLES)}).fetchone()
        assert function is not None
        out["functions"][fn] = function
    defaults = cur.execute(_DEFAULT_ACL_SQL, {"api": list(API_ROLES)}).fetchone()
    out["public_default_privileges_for_api_roles"] = defaults["grants"] if defaults else []
    out["publications"] = [
        r["pubname"] for r in cur.execute("select pubname from pg_publication where pubname = 'supabase_realtime'")
    ]
    return out


def load_expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOG_FILE.read_text())
    data.pop("_sources", None)
    return data


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dsn")
    parser.add_argument("--write", action="store_true", help="replace infra/local/platform_catalog.json")
    args = parser.parse_args(argv)
    with psycopg.connect(args.dsn) as conn:
        described = describe(conn)
    if args.write:
        sources = json.loads(CATALOG_FILE.read_text()).get("_sources") if CATALOG_FILE.exists() else None
        CATALOG_FILE.write_text(json.dumps({"_sources": sources, **described}, indent=2, sort_keys=False) + "\n")
    else:
        json.dump(described, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
