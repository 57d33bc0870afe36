"""Dependencies: the heavy objects are built once in the lifespan and handed to routes from here."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request

from api.limits import RateLimiter
from bot.assistant import Assistant
from bot.catalog import STATE_FILE
from bot.communes import Office, Registry
from bot.settings import Settings
from bot.storage import Storage


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


RELOAD_CHECK_SECONDS = 5.0


def get_assistant(request: Request) -> Assistant:
    """The app's assistant; reloaded when another process (an admin call on another worker, `tthc ingest`)
    has rebuilt the index, checked at most every few seconds."""
    state = request.app.state
    now = time.monotonic()
    if now - getattr(state, "index_checked", 0.0) > RELOAD_CHECK_SECONDS:
        state.index_checked = now
        mtime = index_mtime(state.settings)
        if mtime != getattr(state, "index_mtime", None):
            if getattr(state, "index_mtime", None) is not None:
                state.assistant = state.assistant.reload()
            state.index_mtime = mtime
    return state.assistant  # type: ignore[no-any-return]


def index_mtime(settings: Settings) -> float:
    try:
        return (settings.index_dir / STATE_FILE).stat().st_mtime
    except OSError:
        return 0.0


def get_registry(request: Request) -> Registry:
    return request.app.state.registry  # type: ignore[no-any-return]


def get_storage(request: Request) -> Storage:
    return request.app.state.storage  # type: ignore[no-any-return]


def get_offices(request: Request) -> dict[str, Office]:
    return request.app.state.offices  # type: ignore[no-any-return]


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
StorageDep = Annotated[Storage, Depends(get_storage)]
OfficesDep = Annotated[dict[str, Office], Depends(get_offices)]
