"""`python -m infra.admin` against a local server that answers as Supabase Auth's admin API documents
(GET/POST /auth/v1/admin/users, PUT /auth/v1/admin/users/{id}; apikey + Bearer secret key). The server writes
the users it creates into the test database as Auth does (infra.localauth), so load-demo's rows land for real."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest

from infra import admin
from infra.localauth import insert_user

SECRET = "sb_secret_test_admin_key"


class FakeAuth:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.users: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = []

    def user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        return {
            "id": user["id"],
            "aud": "authenticated",
            "role": "authenticated",
            "email": user["email"],
            "email_confirmed_at": now,
            "app_metadata": user["app_metadata"],
            "user_metadata": user["user_metadata"],
            "identities": [],
            "created_at": now,
            "updated_at": now,
            "is_anonymous": False,
        }


def _handler(auth: FakeAuth) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {"apikey": self.headers.get("apikey", ""), "authorization": self.headers.get("Authorization", "")}
            auth.requests.append((self.command, self.path, body, headers))
            return body

        def _authorized(self) -> bool:
            if self.headers.get("apikey") != SECRET or self.headers.get("Authorization") != f"Bearer {SECRET}":
                self._answer(401, {"code": 401, "error_code": "no_authorization", "msg": "invalid key"})
                return False
            return True

        def do_GET(self) -> None:
            self._record()
            if not self._authorized():
                return
            url = urlparse(self.path)
            assert url.path == "/auth/v1/admin/users"
            query = parse_qs(url.query)
            page, per_page = int(query["page"][0]), int(query["per_page"][0])
            users = list(auth.users.values())[(page - 1) * per_page : page * per_page]
            self._answer(200, {"users": [auth.user_json(u) for u in users], "aud": "authenticated"})

        def do_POST(self) -> None:
            body = self._record()
            if not self._authorized():
                return
            assert urlparse(self.path).path == "/auth/v1/admin/users"
            assert body is not None
            if any(u["email"] == body["email"] for u in auth.users.values()):
                self._answer(422, {"code": 422, "error_code": "email_exists", "msg": "already registered"})
                return
            user = {
                "id": body.get("id") or str(uuid.uuid4()),
                "email": body["email"],
                "app_metadata": {"provider": "email", "providers": ["email"], **body.get("app_metadata", {})},
                "user_metadata": body.get("user_metadata", {}),
            }
            with psycopg.connect(auth.dsn, autocommit=True) as conn:
                insert_user(
                    conn,
                    user_id=uuid.UUID(user["id"]),
                    email=user["email"],
                    password=body.get("password"),
                    app_metadata=user["app_metadata"],
                    user_metadata=user["user_metadata"],
                )
            auth.users[user["id"]] = user
            self._answer(200, auth.user_json(user))

        def do_PUT(self) -> None:
            body = self._record()
            if not self._authorized():
                return
            user_id = urlparse(self.path).path.rsplit("/", 1)[-1]
            user = auth.users[user_id]
            assert body is not None
            for key, value in body.get("app_metadata", {}).items():  # Auth merges keys; null removes one
                if value is None:
                    user["app_metadata"].pop(key, None)
                else:
                    user["app_metadata"][key] = value
            self._answer(200, auth.user_json(user))

    return Handler


@pytest.fixture
def fake_auth(database_url: str) -> Iterator[tuple[FakeAuth, str]]:
    auth = FakeAuth(database_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(auth))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield auth, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_create_user_posts_a_confirmed_user_with_the_secret_key(fake_auth: tuple[FakeAuth, str]) -> None:
    auth, url = fake_auth
    sb = admin.client(url, SECRET)
    user_id = admin.create_user(sb, email="kim@skillswap.test", password="long-enough-pw", name="Kim", role="moderator")
    posts = [r for r in auth.requests if r[0] == "POST"]
    assert len(posts) == 1
    _, path, body, headers = posts[0]
    assert path == "/auth/v1/admin/users"
    assert headers == {"apikey": SECRET, "authorization": f"Bearer {SECRET}"}
    assert body == {
        "email": "kim@skillswap.test",
        "email_confirm": True,
        "password": "long-enough-pw",
        "user_metadata": {"display_name": "Kim"},
        "app_metadata": {"role": "moderator"},
    }
    assert auth.users[user_id]["app_metadata"]["role"] == "moderator"
    # Asking again finds the user instead of creating a second one.
    assert admin.create_user(sb, email="KIM@skillswap.test") == user_id
    assert len([r for r in auth.requests if r[0] == "POST"]) == 1


def test_grant_and_revoke_role_write_app_metadata_through_the_admin_api(fake_auth: tuple[FakeAuth, str]) -> None:
    auth, url = fake_auth
    sb = admin.client(url, SECRET)
    user_id = admin.create_user(sb, email="lee@skillswap.test")
    admin.set_role(sb, email="lee@skillswap.test", role="admin")
    assert auth.users[user_id]["app_metadata"]["role"] == "admin"
    admin.set_role(sb, email="lee@skillswap.test", role=None)
    assert "role" not in auth.users[user_id]["app_metadata"]
    puts = [(r[1], r[2]) for r in auth.requests if r[0] == "PUT"]
    assert puts == [
        (f"/auth/v1/admin/users/{user_id}", {"app_metadata": {"role": "admin"}}),
        (f"/auth/v1/admin/users/{user_id}", {"app_metadata": {"role": None}}),
    ]
    with pytest.raises(admin.AdminError, match="no user"):
        admin.set_role(sb, email="nobody@skillswap.test", role="admin")
    with pytest.raises(admin.AdminError, match="role must be"):
        admin.set_role(sb, email="lee@skillswap.test", role="owner")


def test_load_demo_creates_the_seed_users_through_auth_then_loads_the_seed_rows(
    fake_auth: tuple[FakeAuth, str], database_url: str, admin_conn: psycopg.Connection[Any]
) -> None:
    auth, url = fake_auth
    ids = admin.load_demo(admin.client(url, SECRET), database_url)
    expected = admin.demo_users()
    assert [u.email for u in expected] == [f"{n}@skillswap.test" for n in ("ada", "grace", "linus", "maya", "admin")]
    assert ids == [u.id for u in expected]
    posted = {r[2]["email"]: r[2] for r in auth.requests if r[0] == "POST" and r[2]}
    assert posted["admin@skillswap.test"]["app_metadata"] == {"role": "admin"}
    assert posted["ada@skillswap.test"]["id"] == "11111111-1111-4111-8111-111111111111"
    assert all(body["password"] == admin.DEMO_PASSWORD and body["email_confirm"] for body in posted.values())
    headline = admin_conn.execute(
        "select headline from public.profiles where id = '11111111-1111-4111-8111-111111111111'"
    ).fetchone()
    assert headline == ("Analytical engines and first programs",)
    sessions = admin_conn.execute("select count(*) from public.sessions where status = 'published'").fetchone()
    assert sessions is not None
    assert sessions[0] > 0
    # The seed's own user block is not run against a cloud project: Auth made these users.
    assert "insert into auth.users" not in admin.seed_data_sql()


def test_the_command_line_refuses_to_run_without_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_SECRET_KEY", raising=False)
    assert admin.main(["grant-role", "x@skillswap.test", "admin"]) == 2
