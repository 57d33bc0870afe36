"""/docs: Swagger UI for the API, served entirely by this server, with a Content-Security-Policy of its own.

FastAPI's page loads Swagger UI from cdn.jsdelivr.net, so it was empty offline and behind government firewalls.
Swagger UI's script and stylesheet now come from the `fastapi-offline` package (Swagger UI 5, which reads the
OpenAPI 3.1 that FastAPI writes), served under /docs/assets/. The policy allows this server's files, the page's
one inline start-up script by its hash, data: images, requests to this server only, and no framing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS = "/docs/assets"
Asset = Literal["swagger-ui-bundle.js", "swagger-ui.css"]
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _asset_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def docs_csp(html: str) -> str:
    """The policy for the Swagger UI page: this server's files, its inline scripts by their SHA-256."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return (f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json",
                               title=f"{request.app.title} – API", swagger_favicon_url="/favicon.ico",
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css",
                               swagger_ui_parameters={"validatorUrl": None})  # no badge from validator.swagger.io
    page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode())
    return page


@router.get(ASSETS + "/{name}")
def asset(name: Annotated[Asset, PathParam()]) -> FileResponse:
    """Swagger UI's script or stylesheet (only these two names: nothing else of the package is reachable)."""
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(_asset_dir() / name, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
