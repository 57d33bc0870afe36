"""/docs: Swagger UI for the API, with a Content-Security-Policy of its own.

FastAPI's page loads Swagger UI's script and stylesheet from cdn.jsdelivr.net and starts it with one inline
script. The policy allows exactly those (the inline script by its hash), data: images, requests to this server
only, and no framing. The page needs the CDN: without a connection to it only the inline start-up runs.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_csp(html: str) -> str:
    """The policy for a Swagger UI page: its inline scripts by their SHA-256, the CDN, nothing else."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return (f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json",
                               title=f"{request.app.title} – API", swagger_favicon_url="/favicon.ico",
                               swagger_ui_parameters={"validatorUrl": None})  # no badge from validator.swagger.io
    page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode())
    return page
