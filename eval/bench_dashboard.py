"""`tthc bench dashboard`: seed synthetic events (1,000,000 by default) across every commune and a year into an empty
database (a temporary SQLite file, or `--database-url`), then time each dashboard query for the busiest commune and
the busiest province over the whole year: p50 and p95 over repeated runs. Targets: p95 ≤ 300 ms for a commune and
≤ 1 s for a province.

Seeding uses the migrations' schema with its indexes: batched executemany on SQLite, COPY on PostgreSQL, then
ANALYZE (PostgreSQL's autovacuum does the same on its own; on SQLite it is one statement after a bulk load).
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bot.database.analytics import Period, Scope
from bot.database.db import Database
from bot.database.events import events_table, row, vietnam_day
from bot.errors import ConfigError
from bot.knowledge.communes import Registry
from bot.settings import Settings
from eval.stats import p50_p95

log = logging.getLogger(__name__)

BATCH = 20_000
# (type, share, channel choices)
MIX: tuple[tuple[str, float], ...] = (("scan", 0.14), ("page_open", 0.10), ("question", 0.58), ("feedback", 0.08),
                                      ("ticket_opened", 0.04), ("ticket_replied", 0.03), ("ticket_closed", 0.03))
CHANNELS = (("page", 0.55), ("widget", 0.25), ("voice", 0.08), ("api", 0.12))
KINDS = (("answer", 0.78), ("choices", 0.10), ("refusal", 0.09), ("handoff", 0.03))
FIELDS = ("Hộ tịch", "Đăng ký, quản lý cư trú", "Chứng thực", "Đất đai", "Cấp, quản lý căn cước", "Bảo trợ xã hội",
          "Người có công", "Thành lập và hoạt động của hộ kinh doanh", "Nuôi con nuôi", "Lao động", "Y tế",
          "Giáo dục và Đào tạo", "Xây dựng", "Tôn giáo", "Văn hóa", "Nông nghiệp")
COMMENTS = ("Rất rõ ràng, cảm ơn", "Chưa nói lệ phí", "Không tìm thấy nơi nộp", "Trả lời nhanh",
            "Cần thêm mẫu tờ khai", "Câu trả lời dài quá", "Gọi lại cho tôi số [số điện thoại]")


class _Picker:
    """A weighted choice, with its cumulative weights computed once (random.choices would redo them per call)."""

    def __init__(self, rng: random.Random, items: list[str], weights: list[float]) -> None:
        self.rng, self.items, self.cumulative = rng, items, list(accumulate(weights))

    def __call__(self) -> str:
        return self.rng.choices(self.items, cum_weights=self.cumulative)[0]


def synthetic_events(registry: Registry, count: int, end: datetime, seed: int = 14) -> Iterator[dict[str, Any]]:
    """`count` events over the 365 days before `end`: communes weighted log-normally (some are much busier), a
    procedure among 400 codes with a long tail, each with its field."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    communes = sorted(registry.communes.values(), key=lambda c: c.ward_code)
    weights = [rng.lognormvariate(0, 1) for _ in communes]
    codes = [f"1.{rng.randrange(10**5, 10**6):06d}" for _ in range(400)]
    field_of = {code: FIELDS[min(int(rng.paretovariate(1.2)) - 1, len(FIELDS) - 1)] for code in codes}
    code = _Picker(rng, codes, [1 / (i + 1) for i in range(len(codes))])
    channel = _Picker(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    kind_of = _Picker(rng, [k for k, _ in KINDS], [w for _, w in KINDS])
    span = 365 * 86_400
    picked_communes = rng.choices(communes, weights, k=count)
    picked_types = rng.choices([t for t, _ in MIX], [w for _, w in MIX], k=count)
    for commune, type_ in zip(picked_communes, picked_types, strict=True):
        when = end - timedelta(seconds=rng.randrange(span))
        place = {"commune": commune.ward_code, "province": commune.province_code}
        if type_ == "question":
            kind = kind_of()
            asked = code() if kind == "answer" else ""
            yield row("question", when, channel=channel(), kind=kind, procedure_id=asked,
                      field=field_of.get(asked, ""), latency_ms=int(rng.lognormvariate(4.3, 0.5)), **place)
        elif type_ == "feedback":
            yield row("feedback", when, rating="up" if rng.random() < 0.8 else "down", procedure_id=code(),
                      text=rng.choice(COMMENTS) if rng.random() < 0.3 else "", **place)
        elif type_ in ("scan", "page_open"):
            opened = "qr" if type_ == "scan" else rng.choice(("page", "widget"))
            yield row(type_, when, channel=opened, **place)  # type: ignore[arg-type]
        else:
            latency = int(rng.expovariate(1 / 3_600_000)) if type_ != "ticket_opened" else None
            yield row(type_, when, latency_ms=latency, ticket_id=rng.randrange(1, 10**6), **place)  # type: ignore[arg-type]


_COLUMNS = [c.name for c in events_table.columns if c.name != "id"]


def seed(database: Database, events: Iterator[dict[str, Any]]) -> int:
    """Insert in batches (executemany; COPY on PostgreSQL), then ANALYZE. Returns how many."""
    total = 0
    if database.engine.dialect.name == "postgresql":
        raw = database.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY events ({', '.join(_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for values in events:
                    copy.write_row([values[c] for c in _COLUMNS])
                    total += 1
            raw.commit()
        finally:
            raw.close()
    else:
        batch: list[dict[str, Any]] = []
        for values in events:
            batch.append(values)
            if len(batch) >= BATCH:
                database.events.add_many(batch)
                total += len(batch)
                batch = []
        database.events.add_many(batch)
        total += len(batch)
    with database.engine.begin() as conn:
        conn.execute(text("ANALYZE events" if database.engine.dialect.name == "postgresql" else "ANALYZE"))
    return total


def _busiest(database: Database, column: str) -> str:
    key = events_table.c[column]
    with database.engine.connect() as conn:
        return str(conn.execute(select(key).group_by(key).order_by(func.count().desc()).limit(1)).scalar_one())


def _queries(database: Database, scope: Scope, period: Period) -> dict[str, Callable[[], Any]]:
    a = database.analytics
    queries: dict[str, Callable[[], Any]] = {
        "qr_scans per day": lambda: a.qr_scans(scope, period),
        "page opens": lambda: a.page_opens(scope, period),
        "questions per day by channel": lambda: a.questions(scope, period),
        "answer kinds": lambda: a.answer_kinds(scope, period),
        "top procedures": lambda: a.top_procedures(scope, period),
        "top fields": lambda: a.top_fields(scope, period),
        "👍/👎": lambda: a.ratings(scope, period),
        "comments (newest 50)": lambda: a.comments(scope, period),
        "median response time": lambda: a.median_ms(scope, period),
        "tickets + median first reply": lambda: a.tickets(scope, period),
    }
    if not scope.commune:
        queries["communes table"] = lambda: a.breakdown(scope, period)
    queries["whole dashboard (all of the above)"] = lambda: a.report(scope, period)
    return queries


def _time(queries: dict[str, Callable[[], Any]], rounds: int) -> list[tuple[str, float, float]]:
    out = []
    for name, run in queries.items():
        run()  # warm
        ms = []
        for _ in range(rounds):
            t = time.perf_counter()
            run()
            ms.append((time.perf_counter() - t) * 1000)
        p50, p95 = p50_p95(ms)
        out.append((name, p50, p95))
    return out


def run_dashboard_bench(settings: Settings, events: int = 1_000_000, database_url: str = "",
                        rounds: int = 20) -> str:
    registry = Registry.load(settings.knowledge_dir)
    with tempfile.TemporaryDirectory(prefix="tthc-bench-dashboard-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'events.db'}"
        database = Database(url)
        try:
            database.upgrade()
            with database.engine.connect() as conn:
                if conn.execute(select(func.count()).select_from(events_table)).scalar_one():
                    raise ConfigError("The database already has events: give `tthc bench dashboard` an empty one.")
            end = datetime.now(UTC)
            t0 = time.perf_counter()
            seeded = seed(database, synthetic_events(registry, events, end))
            seeding = time.perf_counter() - t0
            commune, province = _busiest(database, "commune"), _busiest(database, "province")
            period = Period(vietnam_day(end) - timedelta(days=364), vietnam_day(end))
            with database.engine.connect() as conn:
                sizes = {name: int(conn.execute(select(func.count()).select_from(events_table).where(
                    events_table.c[name] == value)).scalar_one()) for name, value in (("commune", commune),
                                                                                      ("province", province))}
            lines = [f"database: {database.engine.dialect.name}; seeded {seeded:,} events across "
                     f"{len(registry.communes):,} communes and 365 days in {seeding:.1f} s "
                     f"({seeded / seeding:,.0f} events/s, ANALYZE included)",
                     f"busiest commune {commune}: {sizes['commune']:,} events; busiest province {province}: "
                     f"{sizes['province']:,} events; period {period.start} – {period.end}; {rounds} runs each"]
            for label, scope, target in ((f"commune {commune}", Scope(commune=commune), 300),
                                         (f"province {province}", Scope(province=province), 1000)):
                timed = _time(_queries(database, scope, period), rounds)
                lines.append(f"{label} (target p95 ≤ {target} ms per query):")
                lines += [f"  {name:<36} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms" for name, p50, p95 in timed]
                worst = max(p95 for name, _, p95 in timed if not name.startswith("whole"))
                lines.append(f"  slowest query p95 {worst:.1f} ms: {'met' if worst <= target else 'NOT met'}")
            return "\n".join(lines)
        finally:
            database.dispose()
