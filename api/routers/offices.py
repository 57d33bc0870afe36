"""Office details, edited by the commune: `/api/clerk/offices/{ward_code}` (JSON) and the `/clerk/office` form.

A save is validated by the core `Office` (Vietnamese messages), written to knowledge/offices/<ward_code>.yaml by
rename, audited (who, when, which fields: never their values), and live at once on this worker and within a
few seconds on every other one (the offices version). A commune outside the account's reach is a 404.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.clerk_nav import clerk_nav
from api.deps import ClerkDep, ClerkPageDep, DatabaseDep, FormDep, RuntimeDep, SignedIn, csrf_checked, visible_commune
from api.routers.pages import _page
from api.runtime import Runtime
from api.schemas_clerk import OfficeHoursBody, OfficeOut, OfficeSaved, OfficeUpdate, clerk_problems
from bot.database.db import Database
from bot.errors import InputError, NotFoundError
from bot.knowledge.communes import OFFICE_LIMITS, Commune, Office
from ingest.admin import save_office

log = logging.getLogger(__name__)
router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
# what a clerk edits, in the order the form shows it; `hours` covers the structured hours and their display text
EDITABLE = ("name", "address", "hours", "phone", "map_url", "notes")
ROLE_VI = {"clerk": "cán bộ xã", "province": "cán bộ tỉnh", "admin": "quản trị"}


def _save(runtime: Runtime, database: Database, clerk: SignedIn, commune: Commune,
          fields: dict[str, Any]) -> tuple[Office, list[str]]:
    old = runtime.offices.get(commune.ward_code) or Office(ward_code=commune.ward_code)
    new = old.edited(fields)  # InputError, in Vietnamese, naming the field
    changed = [f for f in EDITABLE if getattr(old, f) != getattr(new, f)
               or (f == "hours" and old.opening_hours != new.opening_hours)]
    if changed:
        s = runtime.settings
        save_office(s.knowledge_dir, s.index_dir, new)
        runtime.reload_offices()
    database.audit.add(clerk.account.username, "office-update", commune.ward_code, changed=changed)
    log.info("office details of %s saved by %s: %s", commune.ward_code, clerk.account.username,
             ", ".join(changed) or "nothing changed")
    return new, changed


@router.get("/api/clerk/offices/{ward_code}", response_model=OfficeOut, responses=clerk_problems(401, 404, 422))
def get_office(ward_code: str, clerk: ClerkDep, runtime: RuntimeDep) -> OfficeOut:
    """The office details the commune published (empty fields where it published none)."""
    commune = visible_commune(clerk.account, ward_code, runtime.registry)
    return OfficeOut.of(commune, runtime.offices.get(commune.ward_code))


@router.put("/api/clerk/offices/{ward_code}", response_model=OfficeSaved,
            responses=clerk_problems(401, 403, 404, 413, 422, 429))
def put_office(ward_code: str, body: OfficeUpdate, clerk: ClerkDep, runtime: RuntimeDep,
               database: DatabaseDep) -> OfficeSaved:
    """Replace the commune's office details (needs X-CSRF-Token); citizens see them on the commune page and in
    every "where" answer at once."""
    commune = visible_commune(clerk.account, ward_code, runtime.registry)
    office, changed = _save(runtime, database, clerk, commune, body.office_fields())
    return OfficeSaved(**OfficeOut.of(commune, office).model_dump(), changed=changed)


# The form: plain HTML (no script), for the signed-in clerk's commune (province and admin accounts pick one).

def _field(name: str, label: str, value: str, hint: str = "", kind: str = "text", limit: int = 0) -> str:
    limit = limit or OFFICE_LIMITS[name]
    hint_html = f'<small id="{name}-hint">{escape(hint)}</small>' if hint else ""
    described = f' aria-describedby="{name}-hint"' if hint else ""
    if kind == "textarea":
        control = (f'<textarea id="{name}" name="{name}" rows="3" maxlength="{limit}"{described}>'
                   f"{escape(value)}</textarea>")
    else:
        control = (f'<input id="{name}" name="{name}" type="{kind}" maxlength="{limit}" value="{escape(value)}"'
                   f"{described}>")
    return f'<label for="{name}">{escape(label)}</label>{control}{hint_html}'


def _office_form(clerk: SignedIn, commune: Commune, values: dict[str, str], error: str = "", saved: bool = False,
                 status: int = 200) -> HTMLResponse:
    a = clerk.account
    csrf = escape(clerk.session.csrf_token)
    note = (f'<p class="error" role="alert">{escape(error)}</p>' if error else
            f'<p class="ok" role="status">Đã lưu. Người dân thấy ngay trên <a href="/c/{escape(commune.ward_code)}">'
            "trang hỏi đáp của xã</a> và trong câu trả lời “nộp ở đâu”.</p>" if saved else "")
    other = ("" if a.role == "clerk" else """<form class="pick" method="get" action="/clerk/office">
<label for="pick">Xã, phường khác (mã 5 số)</label><input id="pick" name="commune" inputmode="numeric" maxlength="5"
pattern="[0-9]{5}" required><button type="submit">Mở</button></form>""")
    fields = "".join((
        _field("name", "Tên nơi tiếp nhận hồ sơ", values.get("name", ""),
               "Ví dụ: Trung tâm Phục vụ hành chính công xã Hòa Vang"),
        _field("address", "Địa chỉ", values.get("address", "")),
        _field("weekdays", "Giờ làm việc Thứ Hai – Thứ Sáu", values.get("weekdays", ""),
               "Ví dụ: 07:30-11:30, 13:30-17:00"),
        _field("saturday", "Giờ làm việc Thứ Bảy", values.get("saturday", ""),
               "Ví dụ: 07:30-11:30; để trống nếu không làm việc hoặc chưa công bố"),
        _field("phone", "Số điện thoại", values.get("phone", ""), "Nhiều số cách nhau bằng dấu phẩy", "tel"),
        _field("map_url", "Liên kết bản đồ", values.get("map_url", ""), "Chỉ liên kết https://", "url"),
        _field("notes", "Ghi chú", values.get("notes", ""), kind="textarea"),
    ))
    body = f"""<body><header><h1>Thông tin nơi tiếp nhận hồ sơ</h1>
<p><span lang="vi">{escape(commune.ward_name)}, {escape(commune.province_name)}</span>
· mã {escape(commune.ward_code)}</p>
<div class="who">{escape(a.username)} ({escape(ROLE_VI.get(a.role, a.role))})</div>
{clerk_nav("/clerk/office", clerk.session.csrf_token)}</header>
<main>{note}<p class="muted">Chỉ ghi thông tin xã đã công bố. Để trống mục chưa có; không đoán.</p>
<form class="card" method="post" action="/clerk/office"><input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="commune" value="{escape(commune.ward_code)}">{fields}
<button type="submit">Lưu</button></form>{other}</main></body>"""
    page = _page(f"Thông tin nơi tiếp nhận – {commune.ward_name}", "account.css", body, status=status,
                 theme="#1f3a5f", description="Cập nhật địa chỉ, giờ làm việc, số điện thoại của nơi tiếp nhận hồ sơ.")
    page.headers["Cache-Control"] = "no-store"  # it carries the session's CSRF token
    return page


def _not_found(message: str) -> HTMLResponse:
    body = f"""<body><header><h1>Không tìm thấy xã, phường</h1></header><main>
<p class="error" role="alert">{escape(message)}</p><p><a href="/clerk/office">Về xã, phường của tài khoản</a></p>
</main></body>"""
    return _page("Không tìm thấy xã, phường", "account.css", body, status=404, theme="#1f3a5f")


def _values(office: Office | None) -> dict[str, str]:
    if office is None:
        return {}
    hours = office.opening_hours
    return {"name": office.name, "address": office.address, "phone": office.phone, "map_url": office.map_url,
            "notes": office.notes, "weekdays": hours.weekdays if hours else "",
            "saturday": hours.saturday if hours else ""}


@router.get("/clerk/office", response_class=HTMLResponse, include_in_schema=False)
def office_page(clerk: ClerkPageDep, runtime: RuntimeDep, commune: Annotated[str, Query(max_length=16)] = "",
                saved: Annotated[str, Query(max_length=4)] = "") -> Response:
    code = commune or clerk.account.commune
    if not code:  # a province or admin account without a commune of its own: pick one
        body = """<body><header><h1>Thông tin nơi tiếp nhận hồ sơ</h1></header><main>
<form class="card" method="get" action="/clerk/office"><label for="pick">Mã xã, phường (5 số)</label>
<input id="pick" name="commune" inputmode="numeric" maxlength="5" pattern="[0-9]{5}" required>
<button type="submit">Mở</button></form></main></body>"""
        return _page("Chọn xã, phường", "account.css", body, theme="#1f3a5f")
    try:
        found = visible_commune(clerk.account, code, runtime.registry)
    except NotFoundError as exc:
        return _not_found(exc.message_vi)
    return _office_form(clerk, found, _values(runtime.offices.get(found.ward_code)), saved=saved == "1")


@router.post("/clerk/office", response_class=HTMLResponse, include_in_schema=False)
def office_form(clerk: ClerkPageDep, runtime: RuntimeDep, database: DatabaseDep, form: FormDep) -> Response:
    try:
        commune = visible_commune(clerk.account, form.get("commune", ""), runtime.registry)
    except NotFoundError as exc:
        return _not_found(exc.message_vi)
    update = OfficeUpdate(name=form.get("name", ""), address=form.get("address", ""), phone=form.get("phone", ""),
                          map_url=form.get("map_url", ""), notes=form.get("notes", ""),
                          hours=OfficeHoursBody(weekdays=form.get("weekdays", ""), saturday=form.get("saturday", "")))
    try:
        _save(runtime, database, clerk, commune, update.office_fields())
    except InputError as exc:
        return _office_form(clerk, commune, form, error=exc.message_vi, status=422)
    return RedirectResponse(f"/clerk/office?commune={commune.ward_code}&saved=1", status_code=303)
