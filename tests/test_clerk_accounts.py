"""Clerk accounts: `tthc clerk` against a temp database, argon2 hashes, the login form's session cookie (HttpOnly,
SameSite=Lax, Secure in production, a new id at sign-in), logout, lock-out, the per-address limit, CSRF, and
which communes each role sees (404, never 403, outside)."""

from __future__ import annotations

import io
import json
import os

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine, text, update

from api.app import create_app
from bot.database.accounts import token_digest
from bot.database.db import Database
from bot.database.tables import Account as AccountRow
from tests.clerks import PASSWORD, add_account, form_csrf, sign_in, signed_in_client, small_app
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def clerk_app(tmp_path_factory, kb_dir, embedder):
    """The app with four accounts: a clerk of 20320, a clerk to lock out, a province account of Đà Nẵng (48),
    an admin. Eight failed sign-ins from one address make it wait."""
    app, settings, database = small_app(tmp_path_factory.mktemp("clerk-accounts"), kb_dir, embedder,
                                        clerk_address_failures=8)
    with TestClient(app):  # the lifespan migrates the database and builds the runtime once
        add_account(database, "lan.hoavang")
        add_account(database, "khoa.hoavang")
        add_account(database, "tinh.danang", role="province", commune="", province="48")
        add_account(database, "quantri", role="admin", commune="", province="")
        yield app, settings, database


def cookie_header(response, name="tthc_clerk") -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(name + "="))


# `tthc clerk`


@pytest.fixture()
def tthc(tmp_path, kb_dir, monkeypatch, capsys):
    """`tthc ARGS` in this process (as `cli.main.main` runs it: exit codes, one-line errors) against a temp
    database; returns (exit code, stdout, stderr). The first call also runs the real command in a subprocess."""
    from cli.main import main

    env = {"TTHC_KNOWLEDGE_DIR": str(kb_dir), "TTHC_VAR_DIR": str(tmp_path),
           "TTHC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    def run(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["tthc", *args])
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.env = {**os.environ, **env}  # type: ignore[attr-defined]
    return run


def test_clerk_cli_add_list_disable_passwd(tthc):
    line = PASSWORD.encode() + b"\n"
    added = run_cli(["clerk", "add", "lan.vanthu", "--commune", "20320"], tthc.env, stdin=line)  # the real process
    assert added.returncode == 0, added.stderr
    assert added.stdout.decode().strip() == "added lan.vanthu (clerk, commune 20320, province 48)"
    assert PASSWORD not in added.stdout.decode() + added.stderr.decode()

    code, _, err = tthc(["clerk", "add", "b.vanthu", "--commune", "20320"], b"ngan-qua\n")
    assert code == 2 and err == "error: The password must have at least 10 characters.\n"
    assert tthc(["clerk", "add", "tinh.dn", "--role", "province", "--commune", "20332"], line)[1] == \
        "added tinh.dn (province, commune 20332, province 48)\n"
    code, _, err = tthc(["clerk", "add", "c.vanthu", "--commune", "20320", "--province", "01"], line)
    assert code == 2 and "is in province 48, not 01" in err
    code, _, err = tthc(["clerk", "add", "d.vanthu", "--commune", "99999"], line)
    assert code == 2 and err.startswith("error: Unknown commune code '99999'")
    code, _, err = tthc(["clerk", "add", "e.vanthu"], line)
    assert code == 2 and "a clerk account needs --commune CODE" in err
    code, _, err = tthc(["clerk", "add", "lan.vanthu", "--commune", "20320"], line)
    assert code == 2 and err == "error: The user name 'lan.vanthu' is taken.\n"
    code, _, err = tthc(["clerk", "add", "Bad Name", "--commune", "20320"], line)
    assert code == 2 and "A user name is 3 to 64 characters" in err

    database = Database(tthc.env["TTHC_DATABASE_URL"])
    stored = database.accounts.get("lan.vanthu")
    with database.engine.connect() as conn:
        hashed = conn.execute(text("select password_hash from accounts where username = 'lan.vanthu'")).scalar()
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert (stored.role, stored.commune, stored.province, stored.disabled) == ("clerk", "20320", "48", False)

    assert tthc(["clerk", "disable", "lan.vanthu"])[1] == "disabled lan.vanthu\n"
    listed = [json.loads(x) for x in tthc(["clerk", "list", "--json"])[1].splitlines()]
    assert [(a["username"], a["role"], a["commune"], a["status"]) for a in listed] == [
        ("lan.vanthu", "clerk", "20320", "disabled"), ("tinh.dn", "province", "20332", "active")]
    plain = tthc(["clerk", "list"])[1]
    assert "lan.vanthu" in plain and "disabled" in plain and "$argon2" not in plain

    new = "mot-mat-khau-moi-hon"
    code, out, _ = tthc(["clerk", "passwd", "lan.vanthu"], new.encode() + b"\n")
    assert code == 0 and out == "password changed for lan.vanthu; its sessions ended\n"
    with database.engine.connect() as conn:
        rehashed = conn.execute(text("select password_hash from accounts where username = 'lan.vanthu'")).scalar()
    assert rehashed != hashed and rehashed.startswith("$argon2id$")
    code, _, err = tthc(["clerk", "passwd", "nobody"], new.encode() + b"\n")
    assert code == 2 and err == "error: No account 'nobody'.\n"
    assert [(e.who, e.action, e.target) for e in reversed(database.audit.recent())] == [
        ("cli", "account-add", "lan.vanthu"), ("cli", "account-add", "tinh.dn"),
        ("cli", "account-disable", "lan.vanthu"), ("cli", "account-passwd", "lan.vanthu")]
    assert all(new not in json.dumps(e.detail) and PASSWORD not in json.dumps(e.detail) for e in database.audit.recent())
    database.dispose()


# signing in and out


def test_login_sets_a_strict_cookie_and_a_new_session_id(clerk_app):
    app, _, database = clerk_app
    client = TestClient(app)
    form = client.get("/clerk/login", headers={"Cookie": "tthc_clerk=chosen-by-an-attacker"})
    assert form.status_code == 200 and 'action="/clerk/login"' in form.text and "Đăng nhập cán bộ" in form.text
    before = client.cookies["tthc_clerk"]
    assert before != "chosen-by-an-attacker"  # an unknown id is never adopted
    assert form.headers["cache-control"] == "no-store"
    pre_cookie = cookie_header(form).lower()
    assert "httponly" in pre_cookie and "samesite=lax" in pre_cookie and "path=/" in pre_cookie

    r = client.post("/clerk/login", data={"csrf_token": form_csrf(form.text), "username": "lan.hoavang",
                                          "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clerk/inbox"  # where a clerk works
    cookie = cookie_header(r).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # development: http
    after = client.cookies["tthc_clerk"]
    assert after != before
    me = client.get("/api/clerk/me").json()
    assert (me["username"], me["role"], me["commune"], me["province"]) == ("lan.hoavang", "clerk", "20320", "48")
    assert me["csrf_token"] != form_csrf(form.text)  # a new CSRF token with the new session

    stale = TestClient(app, cookies={"tthc_clerk": before})
    r = stale.get("/api/clerk/me")
    assert r.status_code == 401 and r.json()["message"] == "Vui lòng đăng nhập bằng tài khoản cán bộ."
    assert database.accounts.session(before) is None and database.accounts.session(after) is not None

    # signing out deletes the session: the cookie is worthless even if kept
    r = client.post("/clerk/logout", data={"csrf_token": me["csrf_token"]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clerk/login"
    assert 'tthc_clerk=""' in cookie_header(r) or "max-age=0" in cookie_header(r).lower()
    assert database.accounts.session(after) is None
    assert TestClient(app, cookies={"tthc_clerk": after}).get("/api/clerk/me").status_code == 401
    actions = [(e.who, e.action) for e in database.audit.recent(5) if e.who == "lan.hoavang"]
    assert actions[:2] == [("lan.hoavang", "logout"), ("lan.hoavang", "login")]


def test_pages_send_a_visitor_to_the_login_form_and_back(clerk_app):
    app, _, _ = clerk_app
    client = TestClient(app)
    r = client.get("/clerk/office", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clerk/login?next=/clerk/office"
    r = sign_in(client, "lan.hoavang", address_next="/clerk/office")
    assert r.headers["location"] == "/clerk/office"
    assert sign_in(TestClient(app), "lan.hoavang", address_next="https://evil.example/").headers["location"] == \
        "/clerk/inbox"  # never to another site
    assert client.get("/clerk/login", follow_redirects=False).headers["location"] == "/clerk/inbox"


def test_the_cookie_is_secure_in_production(clerk_app):
    app, settings, database = clerk_app
    prod = settings.model_copy(update={"env": "production", "admin_key": SecretStr("p" * 32)})
    with TestClient(create_app(prod, assistant=app.state.runtime.assistant, database=database),
                    base_url="https://testserver") as client:
        form = client.get("/clerk/login")
        assert "secure" in cookie_header(form).lower()
        r = client.post("/clerk/login", data={"csrf_token": form_csrf(form.text), "username": "lan.hoavang",
                                              "password": PASSWORD}, follow_redirects=False)
        cookie = cookie_header(r).lower()
        assert r.status_code == 303 and "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_passwords_lock_the_account_for_a_while(clerk_app):
    app, _, database = clerk_app
    client = TestClient(app, client=("10.0.0.1", 50000))
    for attempt in range(1, 5):
        r = sign_in(client, "khoa.hoavang", "sai-mat-khau-roi")
        assert r.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in r.text, attempt
        assert 'value="khoa.hoavang"' in r.text  # the form keeps the name, never the password
    unknown = sign_in(client, "khong.co.ai", "sai-mat-khau-roi")
    assert unknown.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in unknown.text  # the same
    fifth = sign_in(client, "khoa.hoavang", "sai-mat-khau-roi")
    assert fifth.status_code == 423 and "Tài khoản tạm khóa do đăng nhập sai nhiều lần" in fifth.text
    assert "15 phút" in fifth.text
    right = sign_in(client, "khoa.hoavang")  # the right password, while locked
    assert right.status_code == 423 and "tthc_clerk" not in right.headers.get("set-cookie", "")
    assert client.get("/api/clerk/me").status_code == 401
    account = database.accounts.get("khoa.hoavang")
    assert account.locked_until is not None and account.failed_count == 0

    with database.engine.begin() as conn:  # fifteen minutes later
        conn.execute(update(AccountRow).where(AccountRow.username == "khoa.hoavang").values(locked_until=None))
    assert sign_in(client, "khoa.hoavang").status_code == 303
    assert client.get("/api/clerk/me").json()["username"] == "khoa.hoavang"
    reasons = [e.detail["reason"] for e in database.audit.recent(20, action="login-failed")]
    assert reasons.count("wrong-password") >= 4 and "locked" in reasons and "unknown-user" in reasons
    assert all(e.who != "khong.co.ai" for e in database.audit.recent(50))  # unknown names are not stored


def test_failures_from_one_address_make_it_wait(clerk_app):
    app, _, _ = clerk_app
    client = TestClient(app, client=("10.0.0.2", 50000))
    for _ in range(8):
        assert sign_in(client, "khong.co.ai", "sai-mat-khau-roi").status_code == 401
    r = sign_in(client, "lan.hoavang")  # even the right password waits
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ này" in r.text
    other = TestClient(app, client=("10.0.0.3", 50000))
    assert sign_in(other, "lan.hoavang").status_code == 303


def test_a_disabled_account_is_signed_out_and_refused(clerk_app):
    app, _, database = clerk_app
    add_account(database, "tam.nghi")
    client, _ = signed_in_client(app, "tam.nghi")
    database.accounts.set_disabled("tam.nghi", True)
    assert client.get("/api/clerk/me").status_code == 401
    r = sign_in(TestClient(app), "tam.nghi")
    assert r.status_code == 401 and "Tài khoản đã bị vô hiệu hóa" in r.text


# CSRF


def test_state_changing_requests_need_the_csrf_token(clerk_app):
    app, _, database = clerk_app
    client, csrf = signed_in_client(app, "lan.hoavang")
    body = {"name": "Trung tâm Phục vụ hành chính công xã Hòa Vang"}

    r = client.put("/api/clerk/offices/20320", json=body)
    assert r.status_code == 403 and r.json()["error"] == "forbidden" and "tải lại trang" in r.json()["message"]
    assert client.put("/api/clerk/offices/20320", json=body, headers={"X-CSRF-Token": "x" * 43}).status_code == 403
    _, other_csrf = signed_in_client(app, "tinh.danang")  # another session's token
    assert client.put("/api/clerk/offices/20320", json=body, headers={"X-CSRF-Token": other_csrf}).status_code == 403
    r = client.post("/clerk/office", data={"commune": "20320", **body})
    assert r.status_code == 403 and "Phiên làm việc không hợp lệ" in r.text and "<html" in r.text
    r = client.post("/clerk/logout", data={})
    assert r.status_code == 403 and client.get("/api/clerk/me").status_code == 200  # still signed in

    fresh = TestClient(app)
    fresh.get("/clerk/login")
    r = fresh.post("/clerk/login", data={"username": "lan.hoavang", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and fresh.get("/api/clerk/me").status_code == 401
    nobody = TestClient(app)  # no session at all: 401 on the API, 403 on a form
    assert nobody.put("/api/clerk/offices/20320", json=body, headers={"X-CSRF-Token": csrf}).status_code == 401
    assert nobody.post("/clerk/login", data={"username": "lan.hoavang", "password": PASSWORD}).status_code == 403
    assert database.accounts.session(None) is None

    r = client.put("/api/clerk/offices/20320", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["changed"] == ["name"]


# which communes each role sees


def test_a_clerk_sees_only_its_own_commune(clerk_app):
    app, settings, _ = clerk_app
    client, csrf = signed_in_client(app, "lan.hoavang")
    headers = {"X-CSRF-Token": csrf}
    assert client.get("/api/clerk/offices/20320").json()["commune"] == "Xã Hòa Vang"
    for code in ("20332", "99999", "abc"):  # a neighbour, an unknown code, a malformed one: the same 404
        r = client.get(f"/api/clerk/offices/{code}")
        assert r.status_code == 404 and r.json()["message"] == f"Không tìm thấy xã, phường có mã '{code}'."
        assert client.put(f"/api/clerk/offices/{code}", json={"address": "x"}, headers=headers).status_code == 404
    page = client.get("/clerk/office?commune=20332")
    assert page.status_code == 404 and "Không tìm thấy xã, phường có mã &#x27;20332&#x27;." in page.text
    assert "Hòa Tiến" not in page.text
    r = client.post("/clerk/office", data={"csrf_token": csrf, "commune": "20332", "address": "Thôn 1"})
    assert r.status_code == 404 and not (settings.knowledge_dir / "offices" / "20332.yaml").exists()
    own = client.get("/clerk/office")
    assert own.status_code == 200 and "Xã Hòa Vang" in own.text and 'name="commune" value="20320"' in own.text
    assert 'id="pick"' not in own.text  # no switching communes for a clerk
    assert TestClient(app).get("/api/clerk/offices/20320").status_code == 401


def test_a_province_account_sees_its_province_and_an_admin_all(clerk_app):
    app, _, _ = clerk_app
    province, csrf = signed_in_client(app, "tinh.danang")
    for code in ("20320", "20332"):
        assert province.get(f"/api/clerk/offices/{code}").json()["province"] == "Thành phố Đà Nẵng"
    assert province.get("/api/clerk/offices/00004").status_code == 404  # Phường Ba Đình, Hà Nội
    r = province.put("/api/clerk/offices/00004", json={"address": "x"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404
    assert province.get("/clerk/office?commune=00004").status_code == 404
    page = province.get("/clerk/office")  # no commune of its own: it picks one
    assert page.status_code == 200 and 'id="pick"' in page.text
    assert "Xã Hòa Tiến" in province.get("/clerk/office?commune=20332").text

    admin, _ = signed_in_client(app, "quantri")
    assert admin.get("/api/clerk/offices/00004").json()["commune"] == "Phường Ba Đình"


def test_accounts_and_sessions_on_postgresql(postgres_url):
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS clerks"))
        conn.execute(text("CREATE DATABASE clerks"))
    admin.dispose()
    database = Database(postgres_url.rsplit("/", 1)[0] + "/clerks")
    database.upgrade()
    add_account(database, "lan.hoavang")
    from datetime import timedelta

    from bot.database.accounts import AccountLockedError, WrongCredentialsError

    for _ in range(2):
        with pytest.raises(WrongCredentialsError):
            database.accounts.authenticate("lan.hoavang", "sai-mat-khau-roi", 3, timedelta(minutes=15))
    with pytest.raises(AccountLockedError):
        database.accounts.authenticate("lan.hoavang", "sai-mat-khau-roi", 3, timedelta(minutes=15))
    with pytest.raises(AccountLockedError):
        database.accounts.authenticate("lan.hoavang", PASSWORD, 3, timedelta(minutes=15))
    database.accounts.set_password("lan.hoavang", PASSWORD + "!")  # unlocks
    account = database.accounts.authenticate("lan.hoavang", PASSWORD + "!", 3, timedelta(minutes=15))
    token, session = database.accounts.start_session(account, timedelta(hours=1), "127.0.0.1")
    found = database.accounts.session(token)
    assert found is not None and found.account is not None and found.account.username == "lan.hoavang"
    with database.engine.connect() as conn:
        stored = conn.execute(text("select token_hash from sessions")).scalars().all()
    assert stored == [token_digest(token)]  # only the digest is kept
    database.accounts.end_session(session.id)
    assert database.accounts.session(token) is None
    database.audit.add("lan.hoavang", "office-update", "20320", changed=["address"])
    assert database.audit.recent(1)[0].detail == {"changed": ["address"]}
    database.dispose()
