"""Admin endpoints: need the API key (X-Admin-Key), compared in constant time; every call is audited."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import SettingsDep, StorageDep, index_mtime
from api.errors import AdminError
from api.schemas import problems
from bot.errors import TthcError
from bot.storage import Feedback, Scan, Turn
from ingest.admin import KnowledgeAdmin, audit
from ingest.pipeline import IngestReport

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=problems(401, 404, 413, 422))


def admin_user(
    settings: SettingsDep,
    x_admin_key: Annotated[str, Header(description="The admin API key (TTHC_ADMIN_KEY)")] = "",
    x_admin_user: Annotated[str, Header(max_length=64, description="Who is acting, for the audit log")] = "",
) -> str:
    expected = settings.admin_key.get_secret_value()
    if not expected:
        raise AdminError("Admin endpoints are disabled: set TTHC_ADMIN_KEY.", "Chức năng quản trị chưa được bật.")
    if not hmac.compare_digest(x_admin_key.encode(), expected.encode()):
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


def _admin(request: Request) -> KnowledgeAdmin:
    s = request.app.state.settings
    a = request.app.state.assistant
    return KnowledgeAdmin(s.knowledge_dir, s.var_dir, a.store, a.embedder)


def _reingest(request: Request) -> IngestOut:
    from api.app import load_offices

    report: IngestReport = _admin(request).reingest()
    state = request.app.state
    state.offices = load_offices(state.settings.knowledge_dir, state.registry)
    request.app.state.assistant = request.app.state.assistant.reload()
    request.app.state.index_mtime = index_mtime(request.app.state.settings)
    return IngestOut(files=report.files, embedded_files=report.embedded_files, unchanged_files=report.unchanged_files,
                     removed_files=report.removed_files, errors=report.errors, seconds=round(report.seconds, 2))


def _audited(request: Request, who: str, action: str, target: str, fn) -> IngestOut:  # type: ignore[no-untyped-def]
    try:
        fn()
        out = _reingest(request)
    except TthcError as exc:
        audit(request.app.state.settings.var_dir, who, action, target, f"refused: {exc.message}")
        raise
    audit(request.app.state.settings.var_dir, who, action, target, f"ok, embedded {out.embedded_files}")
    return out


@router.put("/procedures/{code}", response_model=IngestOut)
def put_procedure(code: str, body: FileBody, request: Request, who: AdminDep) -> IngestOut:
    return _audited(request, who, "put-procedure", code, lambda: _admin(request).put_procedure(code, body.content))


@router.delete("/procedures/{code}", response_model=IngestOut)
def delete_procedure(code: str, request: Request, who: AdminDep) -> IngestOut:
    return _audited(request, who, "delete-procedure", code, lambda: _admin(request).delete_procedure(code))


@router.put("/offices/{ward_code}", response_model=IngestOut)
def put_office(ward_code: str, body: FileBody, request: Request, who: AdminDep) -> IngestOut:
    return _audited(request, who, "put-office", ward_code, lambda: _admin(request).put_office(ward_code, body.content))


@router.delete("/offices/{ward_code}", response_model=IngestOut)
def delete_office(ward_code: str, request: Request, who: AdminDep) -> IngestOut:
    return _audited(request, who, "delete-office", ward_code, lambda: _admin(request).delete_office(ward_code))


@router.post("/reingest", response_model=IngestOut)
def reingest(request: Request, who: AdminDep) -> IngestOut:
    return _audited(request, who, "reingest", "*", lambda: None)


@router.get("/stats")
def stats(storage: StorageDep, who: AdminDep) -> dict[str, object]:
    with Session(storage.engine) as s:
        turns = s.scalar(select(func.count()).select_from(Turn)) or 0
        in_scope = s.scalar(select(func.count()).select_from(Turn).where(Turn.in_scope.is_(True))) or 0
        ratings = dict(s.execute(select(Feedback.rating, func.count()).group_by(Feedback.rating)).all())
        scans = dict(s.execute(select(Scan.commune, func.count()).group_by(Scan.commune)).all())
        sessions = s.scalar(select(func.count(func.distinct(Turn.session_id)))) or 0
    return {"turns": turns, "in_scope": in_scope, "sessions": sessions,
            "feedback": {k: int(v) for k, v in ratings.items()},
            "qr_scans": {str(k): int(v) for k, v in scans.items()}}
