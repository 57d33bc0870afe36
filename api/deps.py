"""Dependencies: the heavy objects are built once in the lifespan and handed to routes from here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.limits import RateLimiter
from bot.assistant import Assistant
from bot.communes import Office, Registry
from bot.settings import Settings
from bot.storage import Storage


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant  # type: ignore[no-any-return]


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
