"""`/clerk/unanswered`: the questions the bot did not answer well (a refusal, choices, a 👎, a request for a person),
grouped by meaning, the biggest group first; `/clerk/unanswered/{key}`: one group, with a procedure picker and the
three things a clerk can do with it: link it to a procedure, mark it out of scope, leave a note. The same groups as
JSON: `GET /api/clerk/unanswered`.

A clerk sees its commune's questions, a province account its province's, an admin all; any other group is a 404,
exactly like one that does not exist. Questions were redacted when stored and are shown as text. A commune clerk's
link or out-of-scope mark is a proposal for the province to approve (`api.routers.proposals`); a province or admin
account's is carried out at once (see `api.learning`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.clerk_nav import clerk_nav
from api.deps import ClerkDep, ClerkPageDep, FormDep, RuntimeDep, SignedIn, csrf_checked
from api.learning import author_of, carry_out, now, reach_of, view_of
from api.routers.pages import _page
from api.runtime import Runtime
from api.schemas_clerk import clerk_problems
from api.schemas_unanswered import GroupOut, GroupsOut
from bot.database.proposals import NOTE_MAX_CHARS, Action
from bot.errors import ConflictError, InputError, NotFoundError
from bot.unanswered import Group

log = logging.getLogger(__name__)
router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
KEY = Annotated[str, PathParam(max_length=16, pattern=r"^g[0-9]{1,12}$", description="A group's key",
                               examples=["g42"])]
VN = timezone(timedelta(hours=7))
REASON_VI = {"refusal": "không trả lời được", "choices": "đưa lựa chọn", "down": "bị chấm 👎",
             "handoff": "hỏi xong thì xin gặp cán bộ"}
ROLE_VI = {"clerk": "cán bộ xã", "province": "cán bộ tỉnh", "admin": "quản trị"}
MAX_EXAMPLES = 10  # phrasings a link may carry
NO_STORE = {"Cache-Control": "private, no-store"}


def day(value: datetime) -> str:
    return value.astimezone(VN).strftime("%d/%m/%Y")


def header(clerk: SignedIn, title: str, runtime: Runtime, current: str = "") -> str:
    a = clerk.account
    commune = runtime.registry.communes.get(a.commune)
    province = next((c.province_name for c in runtime.registry.communes.values() if c.province_code == a.province),
                    a.province)
    where = {"clerk": commune.ward_name if commune else a.commune, "province": province,
             "admin": "tất cả xã, phường"}.get(a.role, "")
    return f"""<header><h1>{escape(title)}</h1>
<p>{escape(a.username)} ({escape(ROLE_VI.get(a.role, a.role))}) · {escape(where)}</p>
{clerk_nav(current, clerk.session.csrf_token)}
</header>"""


def page(clerk: SignedIn, runtime: Runtime, title: str, main: str, status: int = 200,
         current: str = "") -> HTMLResponse:
    body = f"<body>{header(clerk, title, runtime, current)}<main>{main}</main></body>"
    response = _page(title, "unanswered.css", body, status=status, theme="#1f3a5f",
                     description="Câu hỏi người dân chưa được trả lời tốt, gộp theo ý nghĩa.")
    response.headers.update(NO_STORE)  # a commune's questions, and the forms carry the session's CSRF token
    return response


REFUSED = (NotFoundError, ConflictError, InputError)  # what a clerk's action can meet, each with its status
_STATUS = {NotFoundError: 404, ConflictError: 409, InputError: 422}


def problem_page(clerk: SignedIn, runtime: Runtime, exc: NotFoundError | ConflictError | InputError) -> HTMLResponse:
    main = (f'<p class="error" role="alert">{escape(exc.message_vi)}</p>'
            '<p><a href="/clerk/unanswered">Về danh sách câu hỏi chưa trả lời</a></p>')
    return page(clerk, runtime, "Không thực hiện được", main, _STATUS[type(exc)])


def commune_names(runtime: Runtime, codes: list[str]) -> str:
    names = []
    for code in codes:
        commune = runtime.registry.communes.get(code)
        names.append(commune.ward_name if commune else (code or "không rõ xã"))
    return ", ".join(names)


def _meta(group: Group, runtime: Runtime, clerk: SignedIn) -> str:
    dates = day(group.first) if day(group.first) == day(group.last) else f"{day(group.first)} – {day(group.last)}"
    reasons = ", ".join(f"{REASON_VI.get(k, k)} {n}" for k, n in group.reasons.items())
    where = f" · {escape(commune_names(runtime, group.communes))}" if clerk.account.role != "clerk" else ""
    return (f'<p class="meta"><strong>{group.count} câu hỏi</strong> · {escape(dates)} · {escape(reasons)}'
            f"{where}</p>")


def _examples(group: Group, limit: int) -> str:
    items = "".join(f'<li><span class="q">{escape(p.text)}</span>'
                    f'{f" <span class=n>×{p.count}</span>" if p.count > 1 else ""}</li>'
                    for p in group.phrasings[:limit])
    more = len(group.phrasings) - limit
    tail = f'<li class="muted">… và {more} cách hỏi khác</li>' if more > 0 else ""
    return f'<ul class="examples">{items}{tail}</ul>'


@router.get("/api/clerk/unanswered", response_model=GroupsOut, responses=clerk_problems(401))
def groups_json(clerk: ClerkDep, runtime: RuntimeDep) -> Response:
    """The unanswered questions this account sees from the retention period, grouped by meaning, the biggest
    group first (redacted text)."""
    groups = runtime.unanswered.groups(reach_of(clerk.account, runtime), now())
    body = GroupsOut(groups=[GroupOut.of(g) for g in groups], questions=sum(g.count for g in groups))
    return Response(body.model_dump_json(), media_type="application/json", headers=NO_STORE)


@router.get("/clerk/unanswered", response_class=HTMLResponse, include_in_schema=False)
def list_page(clerk: ClerkPageDep, runtime: RuntimeDep, done: int = 0) -> HTMLResponse:
    groups = runtime.unanswered.groups(reach_of(clerk.account, runtime), now())
    flash = ""
    if done:
        try:
            outcome = runtime.database.proposals.get(done, view_of(clerk.account)).outcome
            flash = f'<p class="ok" role="status">{escape(outcome)}</p>'
        except NotFoundError:
            flash = ""
    items = "".join(f"""<li class="group" data-key="{g.key}"><h2><a href="/clerk/unanswered/{g.key}">{escape(
        g.phrasings[0].text)}</a></h2>{_meta(g, runtime, clerk)}{_examples(g, 3)}</li>""" for g in groups)
    total = sum(g.count for g in groups)
    summary = (f'<p id="summary">{total} câu hỏi chưa được trả lời tốt trong {runtime.settings.retention_days} ngày '
               f"qua, gộp thành {len(groups)} nhóm theo ý nghĩa; nhóm đông nhất ở trên.</p>" if groups else
               '<p id="summary">Chưa có câu hỏi nào bị bỏ lỡ. Câu hỏi bị từ chối, phải đưa lựa chọn, bị chấm 👎 '
               "hoặc hỏi xong thì xin gặp cán bộ sẽ hiện ở đây.</p>")
    main = f"""{flash}{summary}<p class="muted">Chọn một nhóm để gắn vào đúng thủ tục (bot sẽ trả lời được câu hỏi
đó), đánh dấu ngoài phạm vi, hoặc ghi chú cho người quản lý kho kiến thức.</p>
<ol class="groups">{items}</ol>"""
    return page(clerk, runtime, "Câu hỏi chưa trả lời", main, current="/clerk/unanswered")


def _picker(runtime: Runtime, group: Group, q: str) -> tuple[str, str]:
    """(search form, radio buttons) of the procedures to link to: the search's for `q`, else the ones the bot found
    nearest to the group's main question."""
    assistant = runtime.assistant
    error = ""
    try:
        response = (assistant.search(q, k=8, scope="all") if q else
                    assistant.search(group.phrasings[0].text, k=5, scope="citizen"))
        found = [r for r in response.results if r.code in assistant.catalog.procedures]
    except InputError as exc:
        found, error = [], exc.message_vi
    titles = assistant.catalog.procedures
    options = "".join(f"""<li><input type="radio" name="code" id="code-{i}" value="{escape(r.code)}"{
        " checked" if i == 0 else ""} required><label for="code-{i}">{escape(titles[r.code].title)}
<span class="code">{escape(r.code)}</span></label></li>""" for i, r in enumerate(found))
    hint = ("Kết quả tìm kiếm" if q else "Thủ tục gần nhất với câu hỏi (bot chưa đủ chắc để trả lời)")
    search = f"""<form class="search" method="get" action="/clerk/unanswered/{group.key}" role="search">
<label for="q">Tìm thủ tục (tên, từ khóa hoặc mã như 1.001193)</label>
<div class="row"><input id="q" name="q" value="{escape(q)}" maxlength="200"><button type="submit">Tìm</button></div>
</form>{f'<p class="error" role="alert">{escape(error)}</p>' if error else ""}"""
    radios = (f'<fieldset><legend>{escape(hint)}</legend><ul class="options">{options}</ul></fieldset>' if found
              else '<p class="muted" id="no-procedure">Không tìm thấy thủ tục phù hợp; hãy tìm bằng từ khác.</p>')
    return search, radios


@router.get("/clerk/unanswered/{key}", response_class=HTMLResponse, include_in_schema=False)
def group_page(key: KEY, clerk: ClerkPageDep, runtime: RuntimeDep, q: str = "") -> HTMLResponse:
    try:
        group = runtime.unanswered.group(reach_of(clerk.account, runtime), key, now())
    except NotFoundError as exc:
        return problem_page(clerk, runtime, exc)
    csrf = escape(clerk.session.csrf_token)
    hidden = (f'<input type="hidden" name="csrf_token" value="{csrf}">'
              f'<input type="hidden" name="sig" value="{group.signature}">')
    approver = clerk.account.role in ("province", "admin")
    search, radios = _picker(runtime, group, q[:200])
    checks = "".join(f"""<li><input type="checkbox" name="ex{i}" id="ex{i}" value="1" checked><label for="ex{i}">{
        escape(p.text)}</label></li>""" for i, p in enumerate(group.phrasings[:MAX_EXAMPLES]))
    link_label = "Gắn vào thủ tục" if approver else "Đề xuất gắn vào thủ tục"
    oos_label = "Đánh dấu ngoài phạm vi" if approver else "Đề xuất ngoài phạm vi"
    who = ("Thay đổi áp dụng ngay cho kho kiến thức chung và bot trả lời được từ câu hỏi tiếp theo." if approver else
           "Kho kiến thức dùng chung cho mọi xã: đề xuất của xã được cán bộ tỉnh duyệt rồi mới áp dụng.")
    main = f"""<section aria-labelledby="group-h"><h2 id="group-h">Nhóm câu hỏi</h2>{_meta(group, runtime, clerk)}
{_examples(group, MAX_EXAMPLES)}</section>
<section aria-labelledby="link-h" class="card"><h2 id="link-h">Gắn vào đúng thủ tục</h2>
<p class="muted">Các câu hỏi được chọn trở thành cách hỏi của thủ tục. {escape(who)}</p>{search}
<form method="post" action="/clerk/unanswered/{group.key}/link" id="link-form">{hidden}
<fieldset><legend>Câu hỏi sẽ thêm</legend><ul class="options">{checks}</ul></fieldset>{radios}
<button type="submit"{"" if "radio" in radios else " disabled"}>{escape(link_label)}</button></form></section>
<section aria-labelledby="oos-h" class="card"><h2 id="oos-h">Ngoài phạm vi</h2>
<p class="muted">Câu hỏi không thuộc thủ tục hành chính (bot nên từ chối).</p>
<form method="post" action="/clerk/unanswered/{group.key}/out-of-scope">{hidden}
<button type="submit">{escape(oos_label)}</button></form></section>
<section aria-labelledby="note-h" class="card"><h2 id="note-h">Ghi chú cho người quản lý kho kiến thức</h2>
<form method="post" action="/clerk/unanswered/{group.key}/note">{hidden}
<label for="note">Ghi chú (không ghi số điện thoại, số giấy tờ của người dân)</label>
<textarea id="note" name="text" rows="3" maxlength="{NOTE_MAX_CHARS}" required></textarea>
<button type="submit">Gửi ghi chú</button></form></section>"""
    return page(clerk, runtime, "Nhóm câu hỏi chưa trả lời", main)


def _posted_group(clerk: SignedIn, runtime: Runtime, key: str, form: dict[str, str]) -> Group:
    group = runtime.unanswered.group(reach_of(clerk.account, runtime), key, now())
    if form.get("sig", "") != group.signature:
        raise ConflictError("The group changed since the page was loaded.",
                         "Nhóm câu hỏi vừa thay đổi (có câu hỏi mới). Hãy tải lại trang rồi thử lại.")
    return group


@router.post("/clerk/unanswered/{key}/link", response_class=HTMLResponse, include_in_schema=False)
def link_form(key: KEY, clerk: ClerkPageDep, runtime: RuntimeDep, form: FormDep) -> Response:
    try:
        group = _posted_group(clerk, runtime, key, form)
        code = form.get("code", "").strip()
        if code not in runtime.assistant.catalog.procedures:
            raise InputError("Pick a procedure.", "Hãy chọn một thủ tục.")
        picked = [p.text for i, p in enumerate(group.phrasings[:MAX_EXAMPLES]) if form.get(f"ex{i}")]
        if not picked:
            raise InputError("Pick at least one question.", "Hãy chọn ít nhất một câu hỏi để thêm.")
        return _propose(clerk, runtime, "link", code, picked, group.turn_ids)
    except REFUSED as exc:
        return problem_page(clerk, runtime, exc)


def _propose(clerk: SignedIn, runtime: Runtime, kind: Action, code: str, texts: list[str],
             turn_ids: list[int]) -> Response:
    """A commune clerk's decision waits for the province (the knowledge files are shared); a province or admin
    account's is recorded the same way and carried out at once."""
    proposal = runtime.database.proposals.propose(author_of(clerk.account, runtime), kind, code, texts, turn_ids)
    runtime.database.audit.add(clerk.account.username, "unanswered-propose", code or kind.replace("_", "-"),
                               proposal=proposal.id, questions=len(texts))
    if clerk.account.role == "clerk":
        return RedirectResponse(f"/clerk/proposals?sent={proposal.id}", status_code=303)
    done = carry_out(runtime, proposal, clerk.account.username)
    return RedirectResponse(f"/clerk/unanswered?done={done.id}", status_code=303)


@router.post("/clerk/unanswered/{key}/out-of-scope", response_class=HTMLResponse, include_in_schema=False)
def out_of_scope_form(key: KEY, clerk: ClerkPageDep, runtime: RuntimeDep, form: FormDep) -> Response:
    try:
        group = _posted_group(clerk, runtime, key, form)
        return _propose(clerk, runtime, "out_of_scope", "", [p.text for p in group.phrasings[:MAX_EXAMPLES]],
                        group.turn_ids)
    except REFUSED as exc:
        return problem_page(clerk, runtime, exc)


@router.post("/clerk/unanswered/{key}/note", response_class=HTMLResponse, include_in_schema=False)
def note_form(key: KEY, clerk: ClerkPageDep, runtime: RuntimeDep, form: FormDep) -> Response:
    try:
        group = _posted_group(clerk, runtime, key, form)
        text = form.get("text", "").strip()
        if not text or len(text) > NOTE_MAX_CHARS:
            raise InputError("A note needs 1 to 1000 characters.",
                             f"Ghi chú cần có nội dung, tối đa {NOTE_MAX_CHARS} ký tự.")
        note = runtime.database.proposals.add_note(author_of(clerk.account, runtime), text,
                                                   [p.text for p in group.phrasings])
        runtime.database.audit.add(clerk.account.username, "unanswered-note", f"note {note.id}", chars=len(note.text))
    except REFUSED as exc:
        return problem_page(clerk, runtime, exc)
    return RedirectResponse("/clerk/proposals?noted=1", status_code=303)
