"""Admin endpoints: need the API key (X-Admin-Key), compared in constant time; every call is audited."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, Field

from api.deps import DatabaseDep, RuntimeDep, SettingsDep
from api.errors import AdminError
from api.runtime import Runtime
from api.schemas import problems
from bot.errors import TthcError
from ingest.admin import KnowledgeAdmin, audit

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/admin", tags=["admin"], responses=problems(401, 404, 413, 422, 429))


def admin_user(
    settings: SettingsDep,
    x_admin_key: Annotated[str, Header(description="The admin API key (TTHC_ADMIN_KEY)")] = "",
    x_admin_user: Annotated[str, Header(max_length=64, description="Who is acting, for the audit log")] = "",
) -> str:
    expected = settings.admin_key.get_secret_value()
    # the same answer whether or not a key is configured: a caller learns nothing about the set-up (the log says)
    if not expected:
        log.warning("admin call refused: admin endpoints are disabled until TTHC_ADMIN_KEY is set")
    if not hmac.compare_digest(x_admin_key.encode(), expected.encode()) or not expected:
        raise AdminError("Missing or wrong X-Admin-Key.", "Khóa quản trị không đúng.")
    fingerprint = hashlib.sha256(expected.encode()).hexdigest()[:8]
    return f"{x_admin_user or 'unnamed'} (key {fingerprint})"


AdminDep = Annotated[str, Depends(admin_user)]


class FileBody(BaseModel):
    content: str = Field(description="The whole file: Markdown with YAML front matter, or office YAML")


class IngestOut(BaseModel):
    files: int
    embedded_files: int
    unchanged_files: int
    removed_files: int
    errors: list[str]
    seconds: float


def _knowledge(runtime: Runtime) -> KnowledgeAdmin:
    s, a = runtime.settings, runtime.assistant
    return KnowledgeAdmin(s.knowledge_dir, s.var_dir, a.store, a.embedder)


def _audited(runtime: Runtime, who: str, action: str, target: str,
             change: Callable[[KnowledgeAdmin], None]) -> IngestOut:
    """Write, re-ingest and reload this worker (the others follow from the index version); audit either way."""
    knowledge = _knowledge(runtime)
    var_dir = runtime.settings.var_dir
    try:
        change(knowledge)
        report = knowledge.reingest()
    except TthcError as exc:
        audit(var_dir, who, action, target, f"refused: {exc.message}")
        raise
    runtime.reload()
    audit(var_dir, who, action, target, f"ok, embedded {report.embedded_files}")
    return IngestOut(files=report.files, embedded_files=report.embedded_files, unchanged_files=report.unchanged_files,
                     removed_files=report.removed_files, errors=report.errors, seconds=round(report.seconds, 2))


@router.put("/procedures/{code}", response_model=IngestOut)
def put_procedure(code: str, body: FileBody, runtime: RuntimeDep, who: AdminDep) -> IngestOut:
    return _audited(runtime, who, "put-procedure", code, lambda k: k.put_procedure(code, body.content))


@router.delete("/procedures/{code}", response_model=IngestOut)
def delete_procedure(code: str, runtime: RuntimeDep, who: AdminDep) -> IngestOut:
    return _audited(runtime, who, "delete-procedure", code, lambda k: k.delete_procedure(code))


@router.put("/offices/{ward_code}", response_model=IngestOut)
def put_office(ward_code: str, body: FileBody, runtime: RuntimeDep, who: AdminDep) -> IngestOut:
    return _audited(runtime, who, "put-office", ward_code, lambda k: k.put_office(ward_code, body.content))


@router.delete("/offices/{ward_code}", response_model=IngestOut)
def delete_office(ward_code: str, runtime: RuntimeDep, who: AdminDep) -> IngestOut:
    return _audited(runtime, who, "delete-office", ward_code, lambda k: k.delete_office(ward_code))


@router.post("/reingest", response_model=IngestOut)
def reingest(runtime: RuntimeDep, who: AdminDep) -> IngestOut:
    return _audited(runtime, who, "reingest", "*", lambda k: None)


@router.get("/stats")
def stats(database: DatabaseDep, who: AdminDep) -> dict[str, object]:
    return {**database.conversations.counts(), "feedback": database.feedback.ratings(),
            "qr_scans": database.scans.counts()}
