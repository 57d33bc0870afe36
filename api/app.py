"""The FastAPI app factory. Heavy objects are built once in the lifespan (or passed in by tests)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import PathLike
from starlette.types import Scope

from api import clerk_errors, errors
from api.limits import Limits, LimitsMiddleware, SecurityHeadersMiddleware, ServedByMiddleware
from api.routers import (
    admin,
    chat,
    clerks,
    communes,
    docs,
    feedback,
    health,
    offices,
    pages,
    procedures,
    sessions,
    voice,
)
from api.routers.dashboard import router as dashboard_router
from api.routers.handoff import router as handoff_router
from api.routers.inbox import router as inbox_router
from api.routers.proposals import router as proposals_router
from api.routers.unanswered import router as unanswered_router
from api.runtime import Runtime
from bot.assistant import Assistant
from bot.database.db import Database
from bot.logs import install_redaction
from bot.settings import Settings
from bot.voice.service import VoiceService

log = logging.getLogger(__name__)


class CachedStaticFiles(StaticFiles):
    """Pages link static files with their content hash (`?v=`), so those may be kept for a year; a plain URL is
    revalidated each time by its ETag (a 304 when unchanged)."""

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return response


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               database: Database | None = None, voice_service: VoiceService | None = None) -> FastAPI:
    settings = settings or Settings()
    install_redaction()
    db = database or Database(settings.db_url)  # an engine only: nothing connects before the first use
    limits = Limits.of(settings, db.engine)  # in the database by default: shared by every worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_redaction()  # uvicorn's handlers exist by now
        # a second start of the same app object (tests) keeps the runtime the first one built or reloaded
        if getattr(app.state, "runtime", None) is None:
            before, after = db.upgrade()
            if before != after:
                log.info("database migrated from %s to %s", before, after)
            app.state.runtime = Runtime(settings, db, assistant=assistant, voice=voice_service,
                                        login_failures=limits.login_failures)
        log.info("ready: %d procedures", len(app.state.runtime.assistant.catalog.procedures))
        yield

    app = FastAPI(
        title="tthc-bot",
        version="0.1.0",
        description="Answers about Vietnamese administrative procedures, grounded in the official texts.",
        lifespan=lifespan,
        docs_url=None,  # api.routers.docs serves /docs with its own Content-Security-Policy
        redoc_url=None,
    )
    errors.install(app)
    clerk_errors.install(app)
    routers = (chat.router, voice.router, feedback.router, procedures.router, communes.router, health.router,
               pages.router, admin.router, clerks.router, offices.router, docs.router)
    # + the handoff to a person (citizens, clerks' inbox) and forgetting a session
    # + the commune dashboard (events, charts, CSV, /api/clerk/analytics)
    # + the unanswered-question loop (groups, links to procedures, the approval queue)
    for router in (*routers, handoff_router, inbox_router, sessions.router, dashboard_router, unanswered_router,
                   proposals_router):
        app.include_router(router)
    app.mount("/static", CachedStaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(LimitsMiddleware, limits=limits, max_body=settings.max_body_bytes,
                       large_bodies={"/api/voice": settings.voice_max_bytes + 65536})
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.env == "production")
    app.add_middleware(ServedByMiddleware)
    # pages, scripts and JSON compressed; never the answer stream, which must reach the page event by event
    app.add_middleware(GZipMiddleware, minimum_size=500, exclude_content_types=("text/event-stream", "image/png",
                                                                                  "audio/*", "application/pdf"))
    return app
