"""Clerk sessions: the login form, sign-in and sign-out, and who is signed in (`/api/clerk/me`).

The login form gets a session of its own (no account yet) only to carry its CSRF token; signing in deletes that
session and starts a new one with a new random id, so a session id known before sign-in is worthless after it.
Failed sign-ins count per account (the account locks after `clerk_max_failures` in a row) and per address.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import (
    SESSION_COOKIE,
    ClerkDep,
    DatabaseDep,
    FormDep,
    LoginFailuresDep,
    SessionDep,
    SettingsDep,
    csrf_checked,
)
from api.routers.pages import _page
from api.schemas_clerk import ClerkMe, clerk_problems
from bot.database.accounts import PASSWORD_MAX_CHARS, PRE_LOGIN_MINUTES, AccountLockedError
from bot.errors import AuthError, ForbiddenError, TooManyAttemptsError
from bot.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
HOME = "/clerk/inbox"  # where a clerk works: the citizens waiting for a person


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(path: str) -> str:
    """Where to go after signing in: a clerk page of this site only (never another host)."""
    if path.startswith("/clerk") and not path.startswith("//") and "\\" not in path and "://" not in path:
        return path
    return HOME


def set_session_cookie(response: Response, token: str, settings: Settings, seconds: float) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(seconds), path="/", httponly=True, samesite="lax",
                        secure=settings.env == "production")


def _login_form(csrf: str, next_path: str, error: str = "", username: str = "", status: int = 200) -> HTMLResponse:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = f"""<body><header><h1>Đăng nhập cán bộ</h1></header><main>
<form class="card" method="post" action="/clerk/login">{alert}
<input type="hidden" name="csrf_token" value="{escape(csrf)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label for="username">Tên đăng nhập</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" maxlength="64" required
value="{escape(username)}">
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password"
maxlength="{PASSWORD_MAX_CHARS}" required>
<button type="submit">Đăng nhập</button></form>
<p class="muted">Tài khoản do quản trị viên cấp (<code>tthc clerk add</code>). Tra cứu thủ tục không cần đăng nhập:
<a href="/clerk">trang tra cứu</a>.</p></main></body>"""
    page = _page("Đăng nhập cán bộ", "account.css", body, status=status, theme="#1f3a5f",
                 description="Đăng nhập cho cán bộ xã, phường để cập nhật thông tin nơi tiếp nhận hồ sơ.")
    page.headers["Cache-Control"] = "no-store"  # it carries the session's CSRF token
    return page


@router.get("/clerk/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, database: DatabaseDep, settings: SettingsDep, session: SessionDep,
               next: str = "") -> Response:
    if session is not None and session.account is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    if session is not None:
        return _login_form(session.csrf_token, safe_next(next))
    database.accounts.purge_expired()
    token, session = database.accounts.start_session(None, timedelta(minutes=PRE_LOGIN_MINUTES),
                                                     client_address(request))
    response = _login_form(session.csrf_token, safe_next(next))
    set_session_cookie(response, token, settings, PRE_LOGIN_MINUTES * 60)
    return response


@router.post("/clerk/login", response_class=HTMLResponse, include_in_schema=False)
def login(request: Request, database: DatabaseDep, settings: SettingsDep, session: SessionDep, form: FormDep,
          failures: LoginFailuresDep) -> Response:
    if session is None:  # csrf_checked has refused this already
        raise ForbiddenError("No live session: reload the form.")
    address = client_address(request)
    wait = failures.wait_seconds(address)
    if wait:
        log.warning("clerk sign-in refused: too many failures from one address")
        raise TooManyAttemptsError(f"Too many failed sign-ins from this address; retry in {wait} s.", wait)
    username = form.get("username", "").strip().lower()[:64]
    next_path = safe_next(form.get("next", ""))
    try:
        account = database.accounts.authenticate(username, form.get("password", ""), settings.clerk_max_failures,
                                                 timedelta(minutes=settings.clerk_lockout_minutes))
    except AuthError as exc:
        failures.add(address)
        known = database.accounts.find(username) is not None
        reason = {"WrongCredentialsError": "wrong-password" if known else "unknown-user",
                  "AccountLockedError": "locked", "AccountDisabledError": "disabled"}.get(type(exc).__name__, "refused")
        # an unknown name may be a password typed in the wrong box: it is never stored
        database.audit.add(username if known else "?", "login-failed", "", reason=reason)
        log.info("clerk sign-in refused: %s", reason)
        status = 423 if isinstance(exc, AccountLockedError) else 401
        return _login_form(session.csrf_token, next_path, exc.message_vi, username, status=status)
    database.accounts.end_session(session.id)  # the form's (or any earlier) session id never survives sign-in
    lifetime = timedelta(hours=settings.clerk_session_hours)
    token, _ = database.accounts.start_session(account, lifetime, address)
    database.audit.add(account.username, "login", account.commune or account.province)
    log.info("clerk signed in: %s (%s)", account.username, account.role)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, token, settings, lifetime.total_seconds())
    return response


@router.post("/clerk/logout", include_in_schema=False)
def logout(database: DatabaseDep, settings: SettingsDep, session: SessionDep) -> Response:
    if session is None:
        raise ForbiddenError("No live session: reload the page.")
    database.accounts.end_session(session.id)
    if session.account is not None:
        database.audit.add(session.account.username, "logout")
    response = RedirectResponse("/clerk/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.env == "production")
    return response


@router.get("/api/clerk/me", response_model=ClerkMe, responses=clerk_problems(401, 422))
def me(clerk: ClerkDep) -> ClerkMe:
    """The signed-in account and its session's CSRF token (for scripts on the clerk pages)."""
    a = clerk.account
    return ClerkMe(username=a.username, role=a.role, commune=a.commune, province=a.province,
                   csrf_token=clerk.session.csrf_token, expires_at=clerk.session.expires_at)
