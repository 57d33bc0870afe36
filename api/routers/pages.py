"""HTML pages: the commune chat page, the clerk lookup, the home page, and the widget script.

Pages are small and self-contained (no CDN): one CSS and one script each, served by the app.
Every value that comes from data is escaped; the scripts only ever set textContent.
Static files are linked with a content hash (`?v=`), so browsers may keep them for a year.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.clerk_nav import clerk_nav
from api.deps import DatabaseDep, OfficesDep, RegistryDep, SettingsDep
from bot.errors import NotFoundError
from bot.limits import QUESTION_MAX_CHARS

router = APIRouter(tags=["pages"])
STATIC = Path(__file__).resolve().parent.parent / "static"

_HEAD = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<meta name="description" content="{description}"><meta name="theme-color" content="{theme}">
<link rel="icon" href="{icon}" type="image/svg+xml"><link rel="stylesheet" href="{css}"></head>"""
DESCRIPTION = ("Hỏi đáp thủ tục hành chính 24/7{where}: hồ sơ cần chuẩn bị, nơi nộp, thời hạn và lệ phí, trích từ văn "
               "bản chính thức trên Cổng Dịch vụ công quốc gia.")


@lru_cache(maxsize=64)
def _hash(name: str, mtime_ns: int) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def asset(name: str) -> str:
    """The URL of a static file with its content hash: a changed file gets a new URL."""
    return f"/static/{name}?v={_hash(name, (STATIC / name).stat().st_mtime_ns)}"


def _page(title: str, css: str, body: str, status: int = 200, description: str = DESCRIPTION.format(where=""),
          theme: str = "#b3261e") -> HTMLResponse:
    head = _HEAD.format(title=escape(title), css=asset(css), icon=asset("favicon.svg"),
                        description=escape(description), theme=theme)
    return HTMLResponse(head + body + "</html>", status_code=status)


@router.get("/c/{ward_code:path}", response_class=HTMLResponse, include_in_schema=False)
def commune_page(
    ward_code: str, registry: RegistryDep, offices: OfficesDep, database: DatabaseDep, settings: SettingsDep,
    src: Annotated[str, Query(max_length=16)] = "", embed: Annotated[str, Query(max_length=4)] = "",
) -> HTMLResponse:
    try:
        commune = registry.get(ward_code)
    except NotFoundError:
        return _unknown_commune(ward_code)
    if src == "qr":
        database.scans.add(commune.ward_code)
    # for the commune's dashboard: a scan of its QR code, or the page (or the widget's panel) opened otherwise
    database.events.record("scan" if src == "qr" else "page_open", commune=commune.ward_code,
                           province=commune.province_code,
                           channel="qr" if src == "qr" else "widget" if embed == "1" else "page")
    office = offices.get(commune.ward_code)
    office_lines = []
    if office:
        for key, label, value in (("", "", office.name), ("addr", "Địa chỉ: ", office.address),
                                  ("hours", "Giờ làm việc: ", office.hours), ("phone", "Điện thoại: ", office.phone),
                                  ("", "", office.notes)):
            if value:
                tag = f'<span data-t="{key}">{escape(label)}</span>' if key else ""
                office_lines.append(f"<div>{tag}{escape(value)}</div>")
        if office.map_url:  # validated: an https:// link without quotes or spaces; escaped all the same
            office_lines.append(f'<div><a href="{escape(office.map_url)}" rel="noopener noreferrer" target="_blank">Xem bản đồ</a></div>')
    embedded = embed == "1"
    office_html = f'<div class="office">{"".join(office_lines)}</div>' if office_lines and not embedded else ""
    body = f"""<body{' class="embed"' if embedded else ""}><div id="app" data-commune="{escape(commune.ward_code)}"
data-name="{escape(commune.ward_name)}">
<header><div class="title"><h1 lang="vi">{escape(commune.ward_name)}</h1>
<p><span lang="vi">{escape(commune.province_name)}</span> · <span data-t="sub">Hỏi đáp thủ tục hành chính 24/7</span></p>
{office_html}</div>
<div class="tools" role="toolbar" aria-label="Công cụ" data-t-aria="tools">
<button id="smaller" type="button" title="Chữ nhỏ hơn" data-t-title="smaller">A−</button>
<button id="bigger" type="button" title="Chữ to hơn" data-t-title="bigger">A+</button>
<select id="lang" aria-label="Ngôn ngữ" data-t-aria="language"><option value="vi" lang="vi">Tiếng Việt</option>
<option value="en" lang="en">English</option><option value="de" lang="de">Deutsch</option></select>
<button id="new" type="button" data-t="new">Cuộc trò chuyện mới</button></div></header>
<main><p id="greet" class="greet"></p><div id="sugg" class="sugg"></div><div id="log"></div>
<p id="status" class="sr" role="status" aria-live="polite"></p><p id="note" class="note"></p>
<p class="privacy" id="privacy" data-days="{settings.retention_days}"><span data-t="privacy">Câu hỏi được lưu {settings.retention_days} ngày, đã xóa số điện thoại, số CCCD, e-mail và họ tên; không dùng vào việc khác.</span> <button id="forget" type="button" class="linkish" data-t="forget">Xóa cuộc trò chuyện</button></p></main>
<form id="f" autocomplete="off" aria-label="Đặt câu hỏi" data-t-aria="ask">
<button class="mic" id="mic" type="button" aria-label="Hỏi bằng giọng nói" title="Hỏi bằng giọng nói" data-t-aria="mic" data-t-title="mic" aria-pressed="false">🎤</button><span id="rec"
class="rec" hidden></span><input id="q" name="q" maxlength="{QUESTION_MAX_CHARS}" aria-label="Câu hỏi"
data-t-aria="question" required><button class="send" id="send" type="submit" data-t="send">Gửi</button></form></div>
<script src="{asset("chat.js")}" defer></script></body>"""
    description = DESCRIPTION.format(where=f" cho {commune.ward_name}, {commune.province_name}")
    return _page(f"Hỏi đáp TTHC – {commune.ward_name}", "chat.css", body, description=description)


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
    body = f"""<body><header><h1>Tra cứu thủ tục hành chính (cán bộ)</h1>{clerk_nav("/clerk")}</header>
<main><div class="bar" role="search" aria-label="Tìm thủ tục"><input id="cq" type="search" autocomplete="off"
placeholder="Tên, mã (1.001193) hoặc từ khóa…" aria-label="Tìm thủ tục theo tên, mã hoặc từ khóa" aria-controls="results"
aria-describedby="keys" aria-keyshortcuts="/">
<select id="level" aria-label="Cấp thực hiện"><option value="all">Mọi cấp</option><option value="commune">Cấp xã</option>
<option value="province">Cấp tỉnh</option><option value="ministry">Cấp bộ</option></select>
<input id="field" list="fields" autocomplete="off" aria-label="Lĩnh vực (gõ để lọc)" placeholder="Mọi lĩnh vực (gõ để lọc)">
<datalist id="fields"></datalist>
<select id="agency" aria-label="Cơ quan"><option value="">Mọi cơ quan</option></select></div>
<p id="keys" class="keys">Phím: <kbd>/</kbd> tìm · <kbd>↓</kbd><kbd>↑</kbd> chọn kết quả · <kbd>Enter</kbd> mở thẻ ·
<kbd>c</kbd> sao chép tóm tắt · <kbd>Esc</kbd> về ô tìm</p>
<div class="wrap"><section aria-label="Kết quả"><p id="count" class="muted" role="status"></p><ul id="results" class="hits"></ul>
</section><article id="card">
<p class="muted">Gõ tên hoặc mã thủ tục, rồi <kbd>Enter</kbd> để mở thẻ đầu tiên.</p></article></div></main>
<script src="{asset("clerk.js")}" defer></script></body>"""
    return _page("Tra cứu thủ tục – cán bộ", "clerk.css", body, theme="#1f3a5f",
                 description="Tra cứu thủ tục hành chính cho cán bộ: tìm theo tên, mã, lĩnh vực, cơ quan; tóm tắt "
                             "cho người dân, văn bản chính thức đầy đủ và sao chép.")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the same icon, as SVG."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/widget.js", include_in_schema=False)
def widget() -> Response:
    # host pages link this URL without a version, so it is cached for an hour and then revalidated by its ETag
    return FileResponse(STATIC / "widget.js", media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*",
                                 "Cross-Origin-Resource-Policy": "cross-origin"})
