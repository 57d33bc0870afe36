"""The FastAPI app factory. Heavy objects are built once in the lifespan (or passed in by tests)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.limits import LimitsMiddleware, RateLimiter, SecurityHeadersMiddleware, ServedByMiddleware
from api.routers import admin, chat, communes, feedback, health, pages, procedures, voice
from bot.assistant import Assistant
from bot.communes import Office, OfficeFileError, Registry, load_office
from bot.errors import ConfigError
from bot.logs import install_redaction
from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)


def load_offices(knowledge_dir: Path, registry: Registry) -> dict[str, Office]:
    offices = {}
    for path in sorted((knowledge_dir / "offices").glob("*.yaml")):
        try:
            office = load_office(path, registry)
        except OfficeFileError as exc:
            log.warning("office file skipped: %s", exc)
            continue
        offices[office.ward_code] = office
    return offices


WEAK_KEYS = {"", "change-me", "changeme", "admin", "secret", "password", "test"}


def check_production(settings: Settings) -> None:
    """In production the server refuses to start with a default, empty or short admin key."""
    if settings.env != "production":
        return
    key = settings.admin_key.get_secret_value()
    if key.lower() in WEAK_KEYS or len(key) < 24:
        raise ConfigError("TTHC_ENV=production needs TTHC_ADMIN_KEY: a random secret of 24+ characters "
                          "(for example `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               storage: Storage | None = None) -> FastAPI:
    settings = settings or Settings()
    check_production(settings)
    install_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_redaction()  # uvicorn's handlers exist by now
        app.state.settings = settings
        app.state.registry = Registry.load(settings.knowledge_dir)
        app.state.offices = load_offices(settings.knowledge_dir, app.state.registry)
        # a second start of the same app object (tests) keeps what the first one built or reloaded
        app.state.storage = getattr(app.state, "storage", None) or storage or Storage(settings.db_url)
        app.state.assistant = getattr(app.state, "assistant", None) or assistant or Assistant.build(settings)
        log.info("ready: %d procedures", len(app.state.assistant.catalog.procedures))
        yield

    app = FastAPI(
        title="tthc-bot",
        version="0.1.0",
        description="Answers about Vietnamese administrative procedures, grounded in the official texts.",
        lifespan=lifespan,
    )
    limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.limiter = limiter
    errors.install(app)
    routers = (chat.router, voice.router, feedback.router, procedures.router, communes.router, health.router,
               pages.router, admin.router)
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(LimitsMiddleware, limiter=limiter, max_body=settings.max_body_bytes,
                       large_bodies={"/api/voice": settings.voice_max_bytes + 65536})
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServedByMiddleware)
    return app
