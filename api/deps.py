"""Dependencies: routes get live state from here, never from `app.state` directly.

The `Runtime` is built once per worker in the lifespan; each request first lets it notice a re-ingest.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.runtime import Runtime
from bot.assistant import Assistant
from bot.conversation import Conversation
from bot.database.db import Database
from bot.errors import IndexNotReadyError
from bot.knowledge.communes import Office, Registry
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
OfficesDep = Annotated[dict[str, Office], Depends(get_offices)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ConversationDep = Annotated[Conversation, Depends(get_conversation)]
