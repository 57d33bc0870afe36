"""HTML pages: the commune chat page, the clerk lookup, the home page, and the widget script.

Pages are small and self-contained (no CDN): one CSS and one script each, served by the app.
Every value that comes from data is escaped; the scripts only ever set textContent.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.deps import DatabaseDep, OfficesDep, RegistryDep
from bot.errors import NotFoundError
from bot.limits import QUESTION_MAX_CHARS

router = APIRouter(tags=["pages"])
STATIC = Path(__file__).resolve().parent.parent / "static"

_HEAD = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/static/{css}"></head>"""


def _page(title: str, css: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_HEAD.format(title=escape(title), css=css) + body + "</html>", status_code=status)


@router.get("/c/{ward_code:path}", response_class=HTMLResponse, include_in_schema=False)
def commune_page(
    ward_code: str, registry: RegistryDep, offices: OfficesDep, database: DatabaseDep,
    src: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    try:
        commune = registry.get(ward_code)
    except NotFoundError:
        return _unknown_commune(ward_code)
    if src == "qr":
        database.scans.add(commune.ward_code)
    office = offices.get(commune.ward_code)
    office_lines = []
    if office:
        for label, value in (("", office.name), ("Địa chỉ: ", office.address), ("Giờ làm việc: ", office.hours),
                             ("Điện thoại: ", office.phone), ("", office.notes)):
            if value:
                office_lines.append(f"<div>{escape(label + value)}</div>")
    body = f"""<body><div id="app" data-commune="{escape(commune.ward_code)}">
<header><h1>{escape(commune.ward_name)}</h1><p>{escape(commune.province_name)} · Hỏi đáp thủ tục hành chính 24/7</p>
<div class="office">{''.join(office_lines)}</div></header>
<div class="tools" role="toolbar"><button id="smaller" type="button" aria-label="Chữ nhỏ hơn">A−</button>
<button id="bigger" type="button" aria-label="Chữ to hơn">A+</button><button id="lang" type="button">English</button></div>
<main><p id="greet" class="greet"></p><div id="sugg" class="sugg"></div><div id="log" aria-live="polite"></div>
<p id="note" class="note"></p></main>
<form id="f" autocomplete="off"><button class="mic" id="mic" type="button" aria-label="Hỏi bằng giọng nói"
title="Hỏi bằng giọng nói" aria-pressed="false">🎤</button><span id="rec" class="rec" hidden></span><input id="q" name="q" maxlength="{QUESTION_MAX_CHARS}" aria-label="Câu hỏi" required>
<button class="send" id="send" type="submit">Gửi</button></form></div>
<script src="/static/chat.js" defer></script></body>"""
    return _page(f"Hỏi đáp TTHC – {commune.ward_name}", "chat.css", body)


def _unknown_commune(ward_code: str) -> HTMLResponse:
    body = f"""<body><header><h1>Không tìm thấy xã, phường</h1></header><main>
<p>Không có xã, phường nào có mã <b>{escape(ward_code[:40])}</b>. Có thể mã QR đã cũ hoặc địa chỉ bị gõ sai.</p>
<p>Tìm xã, phường của bạn (gõ tên mới hoặc tên cũ, có dấu hay không dấu đều được):</p>
<form class="search" action="/" method="get"><input name="q" aria-label="Tên xã, phường" placeholder="Ví dụ: Hòa Vang">
<button type="submit">Tìm</button></form></main></body>"""
    return _page("Không tìm thấy xã, phường", "chat.css", body, status=404)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(registry: RegistryDep, q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    found = registry.search(q, 30) if q.strip() else []
    rows = "".join(
        f'<a href="/c/{escape(c.ward_code)}">{escape(c.ward_name)}, {escape(c.province_name)}</a>' for c in found
    )
    empty = "<p>Không tìm thấy. Hãy thử tên khác.</p>" if q.strip() and not found else ""
    body = f"""<body><header><h1>tthc-bot · Hỏi đáp thủ tục hành chính</h1></header><main>
<p>Chọn xã, phường của bạn để hỏi đáp. Cán bộ tra cứu thủ tục tại <a href="/clerk">trang tra cứu</a>.</p>
<form class="search" action="/" method="get"><input name="q" value="{escape(q)}" aria-label="Tên xã, phường"
placeholder="Tên xã, phường (tên mới hoặc tên cũ)"><button type="submit">Tìm</button></form>
<div class="results">{rows}</div>{empty}</main></body>"""
    return _page("tthc-bot", "chat.css", body)


@router.get("/clerk", response_class=HTMLResponse, include_in_schema=False)
def clerk() -> HTMLResponse:
    body = """<body><header><h1>Tra cứu thủ tục hành chính (cán bộ)</h1></header>
<div class="bar"><input id="cq" type="search" placeholder="Tìm theo tên, mã, từ khóa… (phím /)" aria-label="Tìm thủ tục">
<select id="level" aria-label="Cấp thực hiện"><option value="all">Mọi cấp</option><option value="commune">Cấp xã</option>
<option value="province">Cấp tỉnh</option><option value="ministry">Cấp bộ</option></select>
<select id="field" aria-label="Lĩnh vực"><option value="">Mọi lĩnh vực</option></select>
<select id="agency" aria-label="Cơ quan"><option value="">Mọi cơ quan</option></select></div>
<div class="wrap"><div id="results" role="listbox" aria-label="Kết quả"></div><article id="card">
<p class="muted">Gõ để tìm; <kbd>↑</kbd><kbd>↓</kbd> để chọn, <kbd>Enter</kbd> để mở.</p></article></div>
<script src="/static/clerk.js" defer></script></body>"""
    return _page("Tra cứu thủ tục – cán bộ", "clerk.css", body)


@router.get("/widget.js", include_in_schema=False)
def widget() -> Response:
    return FileResponse(STATIC / "widget.js", media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*",
                                 "Cross-Origin-Resource-Policy": "cross-origin"})
