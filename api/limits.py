"""Size and rate limits for public endpoints, and security headers."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem


class RateLimiter:
    """A sliding one-minute window per client address (per process; a load balancer can add its own)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        hits = self._hits[client]
        while hits and now - hits[0] > 60:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        if len(self._hits) > 10000:  # forget idle clients
            for key in [k for k, v in self._hits.items() if not v]:
                del self._hits[key]
        return True


class LimitsMiddleware:
    """Rejects oversized bodies (413) and over-eager clients on /api/ (429) before any work is done."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_body: int,
                 large_bodies: dict[str, int] | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body = max_body
        self.large_bodies = large_bodies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        if scope["method"] != "GET" or scope["path"].startswith("/api/chat"):
            if not self.limiter.allow(client):
                response = problem(429, "rate_limited", "Bạn gửi quá nhiều câu hỏi trong một phút. Vui lòng đợi "
                                   "một chút rồi thử lại.", "Too many requests; retry after a minute.")
                response.headers["Retry-After"] = "60"
                await response(scope, receive, send)
                return
        limit = self.large_bodies.get(scope["path"], self.max_body)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return problem(413, "too_large", f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} KB).",
                   f"Request bodies are limited to {limit} bytes.")


PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "media-src 'self' blob:; frame-ancestors *; base-uri 'none'; form-action 'self'"
)


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
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"strict-origin-when-cross-origin"}
                if b"content-security-policy" not in names and not scope["path"].startswith("/docs"):
                    extra[b"content-security-policy"] = PAGE_CSP.encode()
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
