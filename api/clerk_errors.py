"""The clerk pages' and API's errors at the edge: not signed in (401 on /api/clerk, a redirect to the login form
on pages), no CSRF token (403), too many failed sign-ins from one address (429 with Retry-After).

Kept beside `api.errors` (whose table maps the core's other errors) so that the two can be merged as one table.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.errors import problem
from bot.errors import AuthError, ForbiddenError, TooManyAttemptsError

LOGIN_PATH = "/clerk/login"


class LoginRequiredError(AuthError):
    """A page that needs a signed-in clerk was opened without one: the browser goes to the login form."""

    def __init__(self, message: str, next_path: str = "") -> None:
        super().__init__(message)
        self.next_path = next_path


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _html(status: int, title: str, message: str) -> HTMLResponse:
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>
<link rel="stylesheet" href="/static/account.css"></head><body><header><h1>{escape(title)}</h1></header>
<main><p class="error" role="alert">{escape(message)}</p><p><a href="{LOGIN_PATH}">Đăng nhập cán bộ</a></p></main>
</body></html>"""
    return HTMLResponse(page, status_code=status)


def login_redirect(next_path: str = "") -> RedirectResponse:
    target = LOGIN_PATH + (f"?next={quote(next_path, safe='/')}" if next_path.startswith("/clerk") else "")
    return RedirectResponse(target, status_code=303)


def install(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> Response:
        if isinstance(exc, LoginRequiredError) or not _is_api(request):
            return login_redirect(exc.next_path if isinstance(exc, LoginRequiredError) else "")
        return problem(401, "unauthorized", exc.message_vi, exc.message)

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Response:
        if _is_api(request):
            return problem(403, "forbidden", exc.message_vi, exc.message)
        return _html(403, "Không thực hiện được", exc.message_vi)

    @app.exception_handler(TooManyAttemptsError)
    async def _throttled(request: Request, exc: TooManyAttemptsError) -> Response:
        response: Response = (problem(429, "rate_limited", exc.message_vi, exc.message) if _is_api(request)
                              else _html(429, "Tạm dừng đăng nhập", exc.message_vi))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
