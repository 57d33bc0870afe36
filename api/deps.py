"""Dependencies: routes get live state from here, never from `app.state` directly.

The `Runtime` is built once per worker in the lifespan; each request first lets it notice a re-ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Cookie, Depends, Header, Request, Response

from api.clerk_errors import LoginRequiredError
from api.limits import Limiter
from api.live import Changes
from api.owner import ChatOwner, chat_owner
from api.runtime import Runtime
from bot.assistant import Assistant
from bot.conversation import Conversation
from bot.database.accounts import Account, Session
from bot.database.db import Database
from bot.database.tickets import TicketScope
from bot.errors import AuthError, ForbiddenError, IndexNotReadyError, InputError, NotFoundError
from bot.handoff import Handoff
from bot.knowledge.communes import Commune, Office, Registry
from bot.settings import Settings


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise IndexNotReadyError("The service is starting.")
    runtime.refresh()
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_runtime_if_ready(request: Request) -> Runtime | None:
    """For /readyz, where "still starting" is an answer rather than an error."""
    return getattr(request.app.state, "runtime", None)


MaybeRuntimeDep = Annotated[Runtime | None, Depends(get_runtime_if_ready)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_assistant(runtime: RuntimeDep) -> Assistant:
    return runtime.assistant


def get_registry(runtime: RuntimeDep) -> Registry:
    return runtime.registry


def get_offices(runtime: RuntimeDep) -> dict[str, Office]:
    return runtime.offices


def get_database(runtime: RuntimeDep) -> Database:
    return runtime.database


def get_conversation(runtime: RuntimeDep) -> Conversation:
    return runtime.conversation


def get_chat_owner(runtime: RuntimeDep, response: Response,
                   tthc_chat: Annotated[str, Cookie(max_length=128, include_in_schema=False)] = "") -> ChatOwner:
    """The browser's chat owner key (a new one, set as a cookie on this response, when it has none)."""
    owner = chat_owner(tthc_chat, runtime.database.chat_sessions)
    owner.set_cookie(response, runtime.settings)
    return owner


ChatOwnerDep = Annotated[ChatOwner, Depends(get_chat_owner)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
OfficesDep = Annotated[dict[str, Office], Depends(get_offices)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ConversationDep = Annotated[Conversation, Depends(get_conversation)]


# Clerk sign-in: a session cookie (HttpOnly, SameSite=Lax, Secure in production) names a row of `sessions`.

SESSION_COOKIE = "tthc_clerk"
FORM_MAX_BYTES = 64 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_login_failures(runtime: RuntimeDep) -> Limiter:
    return runtime.login_failures


LoginFailuresDep = Annotated[Limiter, Depends(get_login_failures)]


def current_session(
    database: DatabaseDep,
    tthc_clerk: Annotated[str, Cookie(max_length=128, description="The clerk session, set by /clerk/login")] = "",
) -> Session | None:
    """The browser's live clerk session (signed in, or the login form's own), if any."""
    return database.accounts.session(tthc_clerk)


SessionDep = Annotated[Session | None, Depends(current_session)]


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: Session


def signed_in_api(session: SessionDep) -> SignedIn:
    """For /api/clerk/*: the signed-in account, else 401."""
    if session is None or session.account is None:
        raise AuthError("Sign in at /clerk/login first (session cookie missing, expired or signed out).")
    return SignedIn(session.account, session)


def signed_in_page(request: Request, session: SessionDep) -> SignedIn:
    """For /clerk/* pages: the signed-in account, else a redirect to the login form (and back afterwards)."""
    if session is None or session.account is None:
        query = request.url.query  # back to the same view (a dashboard's dates, a search) after signing in
        raise LoginRequiredError("Sign in first.", next_path=request.url.path + (f"?{query}" if query else ""))
    return SignedIn(session.account, session)


ClerkDep = Annotated[SignedIn, Depends(signed_in_api)]
ClerkPageDep = Annotated[SignedIn, Depends(signed_in_page)]


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of an HTML form post (application/x-www-form-urlencoded, UTF-8, at most 64 KB); {} otherwise.
    Read once per request (FastAPI caches it for every dependency that asks)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in SAFE_METHODS or content_type != "application/x-www-form-urlencoded":
        return {}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            raise InputError(f"Form posts are limited to {FORM_MAX_BYTES} bytes.",
                             f"Dữ liệu gửi lên quá lớn (tối đa {FORM_MAX_BYTES // 1024} KB).")
    try:
        pairs = parse_qsl(bytes(body).decode("ascii"), keep_blank_values=True, max_num_fields=40, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InputError("The form is not valid UTF-8 form data.", "Dữ liệu biểu mẫu không hợp lệ.") from None
    return dict(pairs)


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def csrf_checked(
    request: Request, session: SessionDep, form: FormDep,
    x_csrf_token: Annotated[str, Header(max_length=128, description="The session's CSRF token (GET /api/clerk/me); "
                                                                    "needed by every POST, PUT and DELETE")] = "",
) -> None:
    """Every state-changing request under /clerk and /api/clerk carries the session's CSRF token, in the header
    or in the form's hidden `csrf_token` field; else 403 (401 on the API when there is no session at all)."""
    if request.method in SAFE_METHODS:
        return
    if session is None:
        if request.url.path.startswith("/api/"):
            raise AuthError("Sign in at /clerk/login first (session cookie missing, expired or signed out).")
        raise ForbiddenError("No live session: reload the form.")
    if not session.csrf_ok(x_csrf_token or form.get("csrf_token", "")):
        raise ForbiddenError("Missing or wrong CSRF token (X-CSRF-Token header or csrf_token form field).")


def visible_commune(account: Account, ward_code: str, registry: Registry) -> Commune:
    """The commune if the account may see it (clerk: its own; province: those of its province; admin: all).
    Any other code is a 404 with the same message as an unknown one, so codes and ids never leak."""
    commune = registry.communes.get(ward_code.strip())
    if commune is None or not account.sees(commune):
        shown = ward_code[:16]
        raise NotFoundError(f"Unknown commune code '{shown}' (or not one this account may see).",
                            f"Không tìm thấy xã, phường có mã '{shown}'.")
    return commune


# Handoff to a person: the use-case, the live views' wake-up, and which tickets a signed-in account sees.

def get_handoff(runtime: RuntimeDep) -> Handoff:
    return runtime.handoff


def get_changes(runtime: RuntimeDep) -> Changes:
    return runtime.changes


def ticket_scope(clerk: ClerkDep) -> TicketScope:
    """A clerk sees its commune's tickets, a province account its province's, an admin all (as `Account.sees`)."""
    account = clerk.account
    if account.role == "admin":
        return TicketScope(everything=True)
    if account.role == "province":
        return TicketScope(province=account.province or "-")
    return TicketScope(commune=account.commune or "-")


HandoffDep = Annotated[Handoff, Depends(get_handoff)]
ChangesDep = Annotated[Changes, Depends(get_changes)]
TicketScopeDep = Annotated[TicketScope, Depends(ticket_scope)]
