"""The commune dashboard: `/clerk/dashboard` (charts drawn as SVG on the server), `/clerk/dashboard.csv?chart=…`
(each chart's data) and `GET /api/clerk/analytics` (the same figures as JSON), all for a range of days.

A clerk sees its commune; a province account its province, with a table of its communes, and any one of them; an
admin everything, by province, and any province or commune. Any other commune or province is a 404, exactly like an
unknown code. Texts shown (feedback comments) were redacted when stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from api.charts import COLORS, bars, columns, number, to_csv
from api.clerk_nav import clerk_nav
from api.deps import ClerkDep, ClerkPageDep, RuntimeDep, SignedIn, csrf_checked, visible_commune
from api.routers.pages import _page
from api.runtime import Runtime
from api.schemas_clerk import clerk_problems
from api.schemas_dashboard import AnalyticsOut
from bot.database.accounts import Account
from bot.database.analytics import Period, Scope
from bot.database.events import KINDS, QUESTION_CHANNELS
from bot.errors import InputError, NotFoundError
from bot.knowledge.communes import Registry

router = APIRouter(tags=["clerk"], dependencies=[Depends(csrf_checked)])
CHANNEL_VI = {"page": "Trang của xã", "widget": "Tiện ích trên website", "voice": "Giọng nói", "api": "API",
              "cli": "Dòng lệnh"}
KIND_VI = {"answer": "Trả lời được", "choices": "Đưa lựa chọn", "refusal": "Không trả lời được",
           "handoff": "Chuyển cán bộ"}
RATING_VI = {"up": "Hữu ích", "down": "Chưa hữu ích"}  # 👍 👎: no emoji font on every clerk's PC
CHARTS = ("qr_scans", "questions", "answer_kinds", "top_procedures", "top_fields", "feedback", "comments",
          "response", "tickets", "breakdown")
Chart = Literal["qr_scans", "questions", "answer_kinds", "top_procedures", "top_fields", "feedback", "comments",
                "response", "tickets", "breakdown"]
NO_STORE = {"Cache-Control": "private, no-store"}  # a commune's figures, and the page carries a CSRF token

Start = Annotated[str, Query(alias="from", max_length=10, description="First day, YYYY-MM-DD (default: 29 days "
                                                                      "before `to`)", examples=["2026-03-01"])]
End = Annotated[str, Query(alias="to", max_length=10, description="Last day, YYYY-MM-DD (default: today)",
                           examples=["2026-03-31"])]
CommuneQ = Annotated[str, Query(max_length=16, description="A commune the account may see (default: its own)")]
ProvinceQ = Annotated[str, Query(max_length=4, description="A province the account may see (province and admin "
                                                           "accounts)")]


@dataclass(frozen=True)
class View:
    scope: Scope
    level: Literal["commune", "province", "all"]
    code: str
    name: str


def provinces(registry: Registry) -> dict[str, str]:
    """Province code -> name, in code order."""
    return dict(sorted({c.province_code: c.province_name for c in registry.communes.values()}.items()))


def resolve(account: Account, registry: Registry, commune: str = "", province: str = "") -> View:
    """What the account asked for, if it may see it; otherwise NotFoundError, as for an unknown code."""
    commune, province = commune.strip(), province.strip()
    if commune:
        found = visible_commune(account, commune, registry)
        return View(Scope(commune=found.ward_code), "commune", found.ward_code,
                    f"{found.ward_name}, {found.province_name}")
    if province or account.role == "province":
        code = province or account.province
        name = provinces(registry).get(code)
        if name and (account.role == "admin" or (account.role == "province" and code == account.province)):
            return View(Scope(province=code), "province", code, name)
        raise NotFoundError(f"Unknown province code '{code[:4]}' (or not one this account may see).",
                            f"Không tìm thấy tỉnh, thành phố có mã '{code[:4]}'.")
    if account.role == "admin":
        return View(Scope(everything=True), "all", "", "Cả nước")
    found = visible_commune(account, account.commune or "-", registry)
    return View(Scope(commune=found.ward_code), "commune", found.ward_code, f"{found.ward_name}, {found.province_name}")


def _title_of(runtime: Runtime) -> Any:
    items = runtime.assistant.catalog.items

    def title(code: str) -> str:
        item = items.get(code)
        return item.title if item is not None else ""
    return title


def _report(runtime: Runtime, view: View, period: Period) -> dict[str, Any]:
    report = runtime.database.analytics.report(view.scope, period, _title_of(runtime))
    names = ({c.ward_code: c.ward_name for c in runtime.registry.communes.values()} if view.scope.by == "commune"
             else provinces(runtime.registry))
    for row in report["breakdown"]["rows"]:
        row["name"] = names.get(row["code"], row["code"] or "(không rõ)")
    report["scope"] = {"level": view.level, "code": view.code, "name": view.name}
    return report


@router.get("/api/clerk/analytics", response_model=AnalyticsOut, responses=clerk_problems(401, 404, 422))
def analytics(clerk: ClerkDep, runtime: RuntimeDep, start: Start = "", end: End = "", commune: CommuneQ = "",
              province: ProvinceQ = "") -> Response:
    """The dashboard's figures for a range of days (at most 366): QR scans and questions per day (by channel),
    answer kinds, top procedures (code, title) and fields, 👍/👎 with comments, the median response time, tickets
    opened and closed with the median time to first reply; for a province, a row per commune."""
    period = Period.parse(start, end)
    view = resolve(clerk.account, runtime.registry, commune, province)
    body = AnalyticsOut.model_validate(_report(runtime, view, period))
    return Response(body.model_dump_json(by_alias=True), media_type="application/json", headers=NO_STORE)


# --- CSV -------------------------------------------------------------------------------------------------------

def chart_rows(report: dict[str, Any], chart: str) -> tuple[list[str], list[list[Any]]]:
    """One chart's data as a header and rows (what the CSV export writes)."""
    if chart == "qr_scans":
        return ["ngay", "luot_quet_qr"], [[d["day"], d["count"]] for d in report["qr_scans"]["per_day"]]
    if chart == "questions":
        return (["ngay", *QUESTION_CHANNELS, "tong"],
                [[d["day"], *[d[c] for c in QUESTION_CHANNELS], sum(d[c] for c in QUESTION_CHANNELS)]
                 for d in report["questions"]["per_day"]])
    if chart == "answer_kinds":
        return ["loai", "ten", "so_cau_hoi"], [[k, KIND_VI[k], report["answer_kinds"].get(k, 0)] for k in KINDS]
    if chart == "top_procedures":
        return ["ma_thu_tuc", "ten_thu_tuc", "so_cau_hoi"], [[p["code"], p["title"], p["count"]]
                                                              for p in report["top_procedures"]]
    if chart == "top_fields":
        return ["linh_vuc", "so_cau_hoi"], [[f["field"], f["count"]] for f in report["top_fields"]]
    if chart == "feedback":
        return ["danh_gia", "so_luot"], [["up", report["feedback"]["up"]], ["down", report["feedback"]["down"]]]
    if chart == "comments":
        return (["ngay", "danh_gia", "ma_thu_tuc", "xa_phuong", "gop_y"],
                [[c["day"], c["rating"], c["procedure_id"], c["commune"], c["text"]]
                 for c in report["feedback"]["comments"]])
    if chart == "response":
        r = report["response_ms"]
        return ["chi_so", "gia_tri"], [["trung_vi_ms", "" if r["median"] is None else round(r["median"])],
                                       ["so_cau_hoi", r["count"]]]
    if chart == "tickets":
        t = report["tickets"]
        return ["chi_so", "gia_tri"], [["mo", t["opened"]], ["da_tra_loi_lan_dau", t["replied"]],
                                       ["dong", t["closed"]],
                                       ["trung_vi_phut_den_tra_loi_dau", "" if t["median_first_reply_minutes"] is None
                                        else t["median_first_reply_minutes"]]]
    by = report["breakdown"]["by"]
    return ([f"ma_{'xa' if by == 'commune' else 'tinh'}", "ten", "luot_quet_qr", "cau_hoi", "khong_tra_loi_duoc",
             "chuyen_can_bo", "up", "down"],
            [[r["code"], r["name"], r["scans"], r["questions"], r["refusals"], r["handoffs"], r["up"], r["down"]]
             for r in report["breakdown"]["rows"]])


@router.get("/clerk/dashboard.csv", response_class=Response, include_in_schema=False)
def dashboard_csv(clerk: ClerkPageDep, runtime: RuntimeDep, chart: Chart, start: Start = "", end: End = "",
                  commune: CommuneQ = "", province: ProvinceQ = "") -> Response:
    """One chart's data as CSV (UTF-8 with a byte-order mark; cells that a spreadsheet would run as a formula
    start with a quote). Like the page: not signed in, a redirect to the login form and back."""
    period = Period.parse(start, end)
    view = resolve(clerk.account, runtime.registry, commune, province)
    head, rows = chart_rows(_report(runtime, view, period), chart)
    where = view.code or "ca-nuoc"
    filename = f"thong-ke-{chart.replace('_', '-')}-{where}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(to_csv(head, rows), media_type="text/csv; charset=utf-8",
                    headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'})


# --- the page --------------------------------------------------------------------------------------------------

def _query(view: View, period: Period, **extra: str) -> str:
    params = {"from": period.start.isoformat(), "to": period.end.isoformat(), **extra}
    if view.level == "commune":
        params["commune"] = view.code
    elif view.level == "province":
        params["province"] = view.code
    return urlencode(params)


def _figure(fid: str, title: str, chart: str, inner: str, view: View, period: Period, note: str = "") -> str:
    csv_link = f"/clerk/dashboard.csv?{_query(view, period, chart=chart)}"
    note_html = f'<p class="muted">{escape(note)}</p>' if note else ""
    return (f'<section class="chart" aria-labelledby="{fid}"><h2 id="{fid}">{escape(title)}</h2>{note_html}'
            f'<figure>{inner}</figure><p class="csv"><a href="{escape(csv_link)}" download '
            f'aria-label="Tải CSV: {escape(title)}">Tải CSV</a></p></section>')


def _vn_date(iso: str) -> str:
    """2025-01-31 -> 31/01/2025."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{number(round(ms / 1000, 1))} giây" if ms >= 1000 else f"{number(round(ms))} ms"


def _minutes(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes >= 120:
        return f"{number(round(minutes / 60, 1))} giờ"
    return f"{number(minutes)} phút"


def _picker(account: Account, registry: Registry, view: View, period: Period) -> str:
    """The period form; a province account picks one of its communes, an admin a province or a commune code."""
    pick = ""
    if account.role == "province":
        options = "".join(
            f'<option value="{escape(c.ward_code)}"{" selected" if c.ward_code == view.code else ""}>'
            f"{escape(c.ward_name)}</option>"
            for c in sorted(registry.communes.values(), key=lambda c: c.ward_name)
            if c.province_code == account.province)
        pick = (f'<label for="commune">Xã, phường</label><select id="commune" name="commune">'
                f'<option value="">Cả tỉnh</option>{options}</select>')
    elif account.role == "admin":
        chosen = view.code if view.level == "province" else ""
        options = "".join(f'<option value="{escape(code)}"{" selected" if code == chosen else ""}>'
                          f"{escape(name)}</option>" for code, name in provinces(registry).items())
        pick = (f'<label for="province">Tỉnh, thành phố</label><select id="province" name="province">'
                f'<option value="">Cả nước</option>{options}</select>'
                f'<label for="commune">hoặc mã xã, phường</label><input id="commune" name="commune" '
                f'inputmode="numeric" maxlength="5" pattern="[0-9]{{5}}" '
                f'value="{escape(view.code if view.level == "commune" else "")}">')
    return (f'<form class="period" method="get" action="/clerk/dashboard" aria-label="Chọn khoảng thời gian">'
            f'<label for="from">Từ ngày</label><input id="from" name="from" type="date" required '
            f'value="{period.start.isoformat()}"><label for="to">Đến ngày</label><input id="to" name="to" type="date" '
            f'required value="{period.end.isoformat()}">{pick}<button type="submit">Xem</button></form>')


def _breakdown(report: dict[str, Any], view: View, period: Period) -> str:
    by = report["breakdown"]["by"]
    rows = report["breakdown"]["rows"]
    if view.level == "commune":
        return ""
    what = "Xã, phường" if by == "commune" else "Tỉnh, thành phố"
    body = []
    for r in sorted(rows, key=lambda r: (-r["questions"], r["code"])):
        target = "/clerk/dashboard?" + urlencode({"from": period.start.isoformat(), "to": period.end.isoformat(),
                                                   by: r["code"]})
        share = f"{round(100 * r['refusals'] / r['questions'])}%" if r["questions"] else "—"
        body.append(f'<tr><th scope="row"><a href="{escape(target)}">{escape(r["name"])}</a></th>'
                    f'<td>{number(r["scans"])}</td><td>{number(r["questions"])}</td><td>{number(r["refusals"])} '
                    f'({share})</td><td>{number(r["handoffs"])}</td><td>{number(r["up"])}</td>'
                    f'<td>{number(r["down"])}</td></tr>')
    table = (f'<div class="scroll" tabindex="0" role="region" aria-label="Bảng theo {what.lower()}">'
             f'<table class="data">'
             f'<thead><tr><th scope="col">{what}</th><th scope="col">Quét QR</th><th scope="col">Câu hỏi</th>'
             f'<th scope="col">Không trả lời được</th><th scope="col">Chuyển cán bộ</th><th scope="col">Hữu ích</th>'
             f'<th scope="col">Chưa hữu ích</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>'
             if body else '<p class="muted">Chưa có số liệu trong khoảng thời gian này.</p>')
    return _figure("c-breakdown", f"Theo {what.lower()}", "breakdown", table, view, period,
                   note="Xếp theo số câu hỏi; chọn tên để xem riêng.")


def _body(clerk: SignedIn, registry: Registry, view: View, period: Period, report: dict[str, Any]) -> str:
    a = clerk.account
    csrf = escape(clerk.session.csrf_token)
    labels = [_vn_date(d["day"]) for d in report["qr_scans"]["per_day"]]
    scans = report["qr_scans"]
    questions = report["questions"]
    q_days = questions["per_day"]
    used = [c for c in QUESTION_CHANNELS if questions["by_channel"].get(c, 0)] or ["page"]
    kinds = report["answer_kinds"]
    fb = report["feedback"]
    tickets = report["tickets"]
    response = report["response_ms"]
    busiest = max(scans["per_day"], key=lambda d: d["count"], default=None)
    scans_chart = columns("Lượt quét mã QR mỗi ngày", labels, {"scan": [d["count"] for d in scans["per_day"]]},
                          {"scan": "Lượt quét"},
                          f"tổng {number(scans['total'])} lượt trong {len(labels)} ngày"
                          + (f", nhiều nhất {number(busiest['count'])} ngày {_vn_date(busiest['day'])}"
                             if busiest and busiest["count"] else ""))
    by_channel = ", ".join(f"{CHANNEL_VI[c]} {number(questions['by_channel'].get(c, 0))}" for c in used)
    questions_chart = columns("Câu hỏi mỗi ngày theo kênh", labels, {c: [d[c] for d in q_days] for c in used},
                              CHANNEL_VI, f"tổng {number(questions['total'])} câu hỏi; {by_channel}")
    kinds_chart = bars([(KIND_VI[k], kinds.get(k, 0)) for k in KINDS], COLORS[1])
    top = bars([(f"{p['title']} ({p['code']})" if p["title"] else p["code"], p["count"])
                for p in report["top_procedures"]])
    fields = bars([(f["field"], f["count"]) for f in report["top_fields"]], COLORS[3])
    votes = bars([(RATING_VI["up"], fb["up"]), (RATING_VI["down"], fb["down"])], COLORS[5])
    where = {} if view.level == "commune" else {c.ward_code: c.ward_name for c in registry.communes.values()}
    comments = "".join(
        f'<li><span class="meta">{escape(_vn_date(c["day"]))} · {escape(RATING_VI.get(c["rating"], ""))}'
        f'{" · " + escape(where.get(c["commune"], c["commune"])) if where and c["commune"] else ""}'
        f'{" · " + escape(c["procedure_id"]) if c["procedure_id"] else ""}</span>'
        f'<span class="text">{escape(c["text"])}</span></li>' for c in fb["comments"])
    comments_html = (f'<h3>Góp ý mới nhất</h3><ul class="comments">{comments}</ul>' if comments
                     else '<p class="muted">Chưa có góp ý bằng lời.</p>')
    ticket_bars = bars([("Mở mới", tickets["opened"]), ("Đã trả lời lần đầu", tickets["replied"]),
                        ("Đã đóng", tickets["closed"])], COLORS[2])
    kpis = "".join(f'<li><span class="k">{escape(k)}</span><span class="v">{escape(v)}</span></li>' for k, v in (
        ("Lượt quét mã QR", number(scans["total"])), ("Câu hỏi", number(questions["total"])),
        ("Thời gian trả lời (trung vị)", _duration(response["median"])),
        ("Hữu ích / chưa hữu ích", f"{number(fb['up'])} / {number(fb['down'])}"),
        ("Yêu cầu gặp cán bộ", number(tickets["opened"])),
        ("Trả lời đầu tiên sau (trung vị)", _minutes(tickets["median_first_reply_minutes"]))))
    level_vi = {"commune": "", "province": " (cả tỉnh)", "all": ""}[view.level]
    figures = "".join((
        _figure("c-scans", "Lượt quét mã QR mỗi ngày", "qr_scans", scans_chart, view, period),
        _figure("c-questions", "Câu hỏi mỗi ngày, theo kênh", "questions", questions_chart, view, period),
        _figure("c-kinds", "Loại câu trả lời", "answer_kinds", kinds_chart, view, period),
        _figure("c-top", "Thủ tục được hỏi nhiều nhất", "top_procedures", top, view, period),
        _figure("c-fields", "Lĩnh vực được hỏi nhiều nhất", "top_fields", fields, view, period),
        _figure("c-feedback", "Đánh giá của người dân", "feedback", votes + comments_html, view, period),
        _figure("c-tickets", "Yêu cầu gặp cán bộ", "tickets", ticket_bars, view, period,
                note=f"Thời gian đến lần trả lời đầu tiên (trung vị): "
                     f"{_minutes(tickets['median_first_reply_minutes'])}."),
        _breakdown(report, view, period),
    ))
    return f"""<body><header><h1>Thống kê hỏi đáp</h1>
<p><span lang="vi">{escape(view.name)}</span>{level_vi} · {period.start.strftime("%d/%m/%Y")} –
{period.end.strftime("%d/%m/%Y")}</p>
<p class="who">{escape(a.username)}</p>
{clerk_nav("/clerk/dashboard", csrf)}</header>
<main>{_picker(a, registry, view, period)}
<ul class="kpis" aria-label="Tóm tắt">{kpis}</ul>{figures}
<p class="muted">Số liệu không chứa thông tin cá nhân: số điện thoại, số giấy tờ, e-mail và họ tên đã được xóa
khỏi câu hỏi và góp ý trước khi lưu. Ngày tính theo giờ Việt Nam.</p></main></body>"""


def _error_page(title: str, message: str, status: int) -> HTMLResponse:
    body = f"""<body><header><h1>{escape(title)}</h1></header><main>
<p class="error" role="alert">{escape(message)}</p>
<p><a href="/clerk/dashboard">Về trang thống kê</a></p></main></body>"""
    page = _page(title, "dashboard.css", body, status=status, theme="#1f3a5f")
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/clerk/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(clerk: ClerkPageDep, runtime: RuntimeDep, start: Start = "", end: End = "",
                   commune: CommuneQ = "", province: ProvinceQ = "") -> Response:
    try:
        period = Period.parse(start, end)
    except InputError as exc:
        return _error_page("Khoảng thời gian không hợp lệ", exc.message_vi, 422)
    try:
        view = resolve(clerk.account, runtime.registry, commune, province)
    except NotFoundError as exc:
        return _error_page("Không tìm thấy", exc.message_vi, 404)
    report = _report(runtime, view, period)
    page = _page(f"Thống kê – {view.name}", "dashboard.css", _body(clerk, runtime.registry, view, period, report),
                 theme="#1f3a5f", description="Thống kê hỏi đáp của xã, phường: lượt quét QR, câu hỏi, đánh giá.")
    page.headers["Cache-Control"] = "no-store"  # it carries the session's CSRF token and the commune's figures
    return page
