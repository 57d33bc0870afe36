"""Size and rate limits for public endpoints, and security headers.

Three limits, each a `Limiter` keyed by the client address (the proxy's `X-Forwarded-For` only when the proxy is
trusted, `TTHC_FORWARDED_ALLOW_IPS`): questions (every POST under /api/ and the chat), costly GETs (searches,
QR codes) and failed admin-key attempts; the clerk sign-in adds a fourth (failures per address). By default
(`TTHC_RATE_LIMITS=database`) they are counted in the database (`bot.database.rates.SharedLimiter`), so every
worker shares them; `process` keeps them in each process (`RateLimiter`), for a single worker.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from bot.database.rates import SharedLimiter
from bot.settings import Settings


class Limiter(Protocol):
    """Events per key within a sliding window, against a limit."""

    def allow(self, key: str) -> bool:
        """Count one event for `key` unless its limit is reached; whether it was counted (allowed)."""
        ...

    def add(self, key: str) -> None:
        """Count one event for `key` whatever its count (a failed attempt)."""
        ...

    def wait_seconds(self, key: str) -> int:
        """0 while `key` is under its limit; otherwise the seconds until its oldest event leaves the window."""
        ...


class RateLimiter:
    """A sliding window per key, in this process (each worker counts its own; a load balancer can add its own)."""

    def __init__(self, per_minute: int, window_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute  # events per window (the window is a minute unless told)
        self.window = window_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits[key]
        while hits and now - hits[0] > self.window:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        if len(self._hits) > 10000:
            for key in [k for k in self._hits if not self._recent(k, now)]:
                del self._hits[key]

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            self._forget_idle(now)
            return True

    def add(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent(key, now).append(now)
            self._forget_idle(now)

    def wait_seconds(self, key: str) -> int:
        now = self.clock()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.per_minute:
                return 0
            return max(1, int(self.window - (now - hits[0])) + 1)


@dataclass(frozen=True)
class Limits:
    """The limiters of one app."""

    questions: Limiter
    searches: Limiter
    admin_failures: Limiter

    login_failures: Limiter

    @classmethod
    def per_process(cls, settings: Settings) -> Limits:
        return cls(RateLimiter(settings.rate_limit_per_minute), RateLimiter(settings.search_rate_limit_per_minute),
                   RateLimiter(settings.admin_failures_limit, settings.admin_failures_window_seconds),
                   RateLimiter(settings.clerk_address_failures, settings.clerk_lockout_minutes * 60))

    @classmethod
    def shared(cls, settings: Settings, engine: Engine) -> Limits:
        """Counted in the database: every worker sees every other's hits."""
        s = settings
        return cls(SharedLimiter(engine, "questions", s.rate_limit_per_minute),
                   SharedLimiter(engine, "searches", s.search_rate_limit_per_minute),
                   SharedLimiter(engine, "admin", s.admin_failures_limit, s.admin_failures_window_seconds),
                   SharedLimiter(engine, "login", s.clerk_address_failures, s.clerk_lockout_minutes * 60))

    @classmethod
    def of(cls, settings: Settings, engine: Engine) -> Limits:
        return cls.shared(settings, engine) if settings.rate_limits == "database" else cls.per_process(settings)


# GETs that cost as much as a question: retrieval (the clerk search), commune search, QR codes, the home page's
# commune search; cards, facets, pages and static files are cheap and stay unlimited
COSTLY_GETS = re.compile(r"^/api/procedures/?$|^/api/communes/?$|^/api/communes/[^/]+/qr\.(?:png|svg)$")
ADMIN_PREFIX = "/api/admin"


def _costly_get(scope: Scope) -> bool:
    path = scope["path"]
    return bool(COSTLY_GETS.match(path)) or (path == "/" and b"q=" in scope.get("query_string", b""))


def _rate_limited(retry_after: int, admin: bool = False) -> JSONResponse:
    if admin:
        response = problem(429, "rate_limited", "Nhập sai khóa quản trị quá nhiều lần. Vui lòng thử lại sau.",
                           "Too many failed admin-key attempts from this address; retry later.")
    else:
        response = problem(429, "rate_limited", "Bạn gửi quá nhiều câu hỏi trong một phút. Vui lòng đợi "
                           "một chút rồi thử lại.", "Too many requests; retry after a minute.")
    response.headers["Retry-After"] = str(retry_after)
    return response


class LimitsMiddleware:
    """Rejects over-eager clients (429) and oversized bodies on /api/ (413) before any work is done, and counts
    failed admin-key attempts (a 401 from /api/admin) per address."""

    def __init__(self, app: ASGIApp, limits: Limits, max_body: int, large_bodies: dict[str, int] | None = None) -> None:
        self.app = app
        self.limits = limits
        self.max_body = max_body
        self.large_bodies = large_bodies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        client = (scope.get("client") or ("?", 0))[0]
        admin = path.startswith(ADMIN_PREFIX)
        if admin and (wait := await run_in_threadpool(self.limits.admin_failures.wait_seconds, client)):
            await _rate_limited(wait, admin=True)(scope, receive, send)
            return
        api = path.startswith("/api/")
        if api and (method != "GET" or path.startswith("/api/chat")):
            limiter: Limiter | None = self.limits.questions
        else:
            limiter = self.limits.searches if method in ("GET", "HEAD") and _costly_get(scope) else None
        if limiter is not None and not await run_in_threadpool(limiter.allow, client):
            await _rate_limited(60)(scope, receive, send)
            return
        if admin:
            send = self._counting_failures(client, send)
        if not api:
            await self.app(scope, receive, send)
            return
        limit = self.large_bodies.get(path, self.max_body)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received, too_large, started = 0, False, False

        async def limited() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            # once the body is over the limit, whatever the app answers (FastAPI turns the failed read into a 400)
            # is dropped for the 413
            nonlocal started
            if too_large:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except _BodyTooLarge:
            pass
        if too_large and not started:
            await _too_large(limit)(scope, receive, send)

    def _counting_failures(self, client: str, send: Send) -> Send:
        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                await run_in_threadpool(self.limits.admin_failures.add, client)
            await send(message)

        return counting


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return problem(413, "too_large", f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} KB).",
                   f"Request bodies are limited to {limit} bytes.")


_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "media-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors {}")
PAGE_CSP = _CSP.format("'none'")
# the citizen page may be framed by any site: the widget (widget.js) opens it in an iframe on the commune's site
EMBEDDABLE_CSP = _CSP.format("*")
EMBEDDABLE = ("/c/",)
HSTS = b"max-age=31536000; includeSubDomains"


class ServedByMiddleware:
    """X-Served-By: a random id per worker process (not its pid), to see load spread across workers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.tag = secrets.token_hex(4).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-served-by", self.tag)]
            await send(message)

        await self.app(scope, receive, tagged)


class SecurityHeadersMiddleware:
    """nosniff, a referrer policy, a Content-Security-Policy (unless the response brings its own, as /docs does),
    no framing except of the citizen page (frame-ancestors, X-Frame-Options), and HSTS in production."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embeddable = scope["path"].startswith(EMBEDDABLE)
        extra = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"strict-origin-when-cross-origin",
                 b"content-security-policy": (EMBEDDABLE_CSP if embeddable else PAGE_CSP).encode()}
        if not embeddable:
            extra[b"x-frame-options"] = b"DENY"
        if self.hsts:
            extra[b"strict-transport-security"] = HSTS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
