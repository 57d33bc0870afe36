"""Liveness and readiness for a load balancer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import MaybeRuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(runtime: MaybeRuntimeDep) -> JSONResponse:
    if runtime is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ready", "procedures": len(runtime.assistant.catalog.procedures),
                         "dense_chunks": runtime.assistant.store.count()})
