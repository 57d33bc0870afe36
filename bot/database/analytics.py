"""The dashboard's figures, from the events table: every count is one SQL GROUP BY over one commune, one province
or everything, for a range of days (Vietnam time), on the (commune|province, type, day) indexes.

`Analytics.report(scope, period, title_of)` gathers them all (what `/api/clerk/analytics` returns); each query is
also a method of its own, timed one by one by `tthc bench dashboard`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine

from bot.database.events import KINDS, QUESTION_CHANNELS, events_table, vietnam_day
from bot.errors import InputError

PERIOD_MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP = 10
COMMENTS = 50
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_e = events_table


@dataclass(frozen=True)
class Scope:
    """Whose events: one commune, one province, or (`everything`) all of them."""

    commune: str = ""
    province: str = ""
    everything: bool = False

    def where(self, query: Select, type_: str | None = None) -> Select:  # type: ignore[type-arg]
        if type_ is not None:
            query = query.where(_e.c.type == type_)
        if self.commune:
            return query.where(_e.c.commune == self.commune)
        if self.province:
            return query.where(_e.c.province == self.province)
        if self.everything:
            return query
        return query.where(_e.c.commune == "-")  # no scope: nothing

    @property
    def by(self) -> str:
        """What its breakdown table lists: a province's communes, or all the provinces."""
        return "province" if self.everything else "commune"


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included (days in Vietnam)."""

    start: date
    end: date

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: date | None = None) -> Period:
        """From query parameters (YYYY-MM-DD; either may be left out: the last 30 days up to today); an InputError
        with a Vietnamese message for a bad date, an end before the start or more than a year."""
        today = today or vietnam_day(datetime.now(UTC))
        to = _date(end, "to", "đến ngày") if end else today
        since = _date(start, "from", "từ ngày") if start else to - timedelta(days=DEFAULT_DAYS - 1)
        if since > to:
            raise InputError("'from' is after 'to'.", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
        if (to - since).days + 1 > PERIOD_MAX_DAYS:
            raise InputError(f"The period is longer than {PERIOD_MAX_DAYS} days.",
                             f"Khoảng thời gian tối đa {PERIOD_MAX_DAYS} ngày.")
        return cls(since, to)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def where(self, query: Select) -> Select:  # type: ignore[type-arg]
        return query.where(_e.c.day >= self.start, _e.c.day <= self.end)


def _date(value: str, name: str, name_vi: str) -> date:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{name}' must be a date as YYYY-MM-DD.",
                         f"Ngày không hợp lệ ở ô «{name_vi}»: hãy nhập theo dạng năm-tháng-ngày, ví dụ 2026-03-31."
                         ) from None


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Analytics:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _all(self, query: Select) -> list[Any]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            return list(conn.execute(query).all())

    def _count(self, scope: Scope, period: Period, type_: str, *columns: Any) -> Select:  # type: ignore[type-arg]
        query = select(*columns, func.count().label("n")).select_from(_e)
        return period.where(scope.where(query, type_)).group_by(*columns) if columns else period.where(
            scope.where(query, type_))

    # the queries, one per figure

    def qr_scans(self, scope: Scope, period: Period) -> dict[date, int]:
        return {_day(d): int(n) for d, n in self._all(self._count(scope, period, "scan", _e.c.day))}

    def page_opens(self, scope: Scope, period: Period) -> dict[str, int]:
        return {str(c): int(n) for c, n in self._all(self._count(scope, period, "page_open", _e.c.channel))}

    def questions(self, scope: Scope, period: Period) -> dict[tuple[date, str], int]:
        """Questions per day and channel."""
        rows = self._all(self._count(scope, period, "question", _e.c.day, _e.c.channel))
        return {(_day(d), str(c)): int(n) for d, c, n in rows}

    def answer_kinds(self, scope: Scope, period: Period) -> dict[str, int]:
        return {str(k): int(n) for k, n in self._all(self._count(scope, period, "question", _e.c.kind))}

    def top_procedures(self, scope: Scope, period: Period, limit: int = TOP) -> list[tuple[str, int]]:
        query = self._count(scope, period, "question", _e.c.procedure_id).where(_e.c.procedure_id != "")
        rows = self._all(query.order_by(func.count().desc(), _e.c.procedure_id).limit(limit))
        return [(str(p), int(n)) for p, n in rows]

    def top_fields(self, scope: Scope, period: Period, limit: int = TOP) -> list[tuple[str, int]]:
        query = self._count(scope, period, "question", _e.c.field).where(_e.c.field != "")
        rows = self._all(query.order_by(func.count().desc(), _e.c.field).limit(limit))
        return [(str(f), int(n)) for f, n in rows]

    def ratings(self, scope: Scope, period: Period) -> dict[str, int]:
        return {str(r): int(n) for r, n in self._all(self._count(scope, period, "feedback", _e.c.rating))}

    def comments(self, scope: Scope, period: Period, limit: int = COMMENTS) -> list[dict[str, Any]]:
        """The newest comments (redacted when stored), with their rating, the procedure and the commune."""
        query = period.where(scope.where(select(_e.c.created_at, _e.c.day, _e.c.rating, _e.c.text, _e.c.procedure_id,
                                                _e.c.commune), "feedback")).where(_e.c.text != "")
        rows = self._all(query.order_by(_e.c.day.desc(), _e.c.id.desc()).limit(limit))
        return [{"day": _day(d).isoformat(), "rating": str(r), "text": str(t), "procedure_id": str(p),
                 "commune": str(c)} for _, d, r, t, p, c in rows]

    def median_ms(self, scope: Scope, period: Period, type_: str = "question") -> tuple[float | None, int]:
        """The median latency of the type's events (questions: response time; ticket_replied: time to first
        reply), and how many had one: a count, then the middle one or two rows by the index's order."""
        base = period.where(scope.where(select(_e.c.latency_ms).select_from(_e), type_)).where(
            _e.c.latency_ms.is_not(None))
        with self.engine.connect() as conn:
            count = int(conn.execute(select(func.count()).select_from(base.subquery())).scalar_one())
            if not count:
                return None, 0
            middle = [int(v) for v in conn.execute(base.order_by(_e.c.latency_ms).offset((count - 1) // 2)
                                                   .limit(1 if count % 2 else 2)).scalars()]
        return sum(middle) / len(middle), count

    def tickets(self, scope: Scope, period: Period) -> dict[str, Any]:
        query = period.where(scope.where(select(_e.c.type, func.count()).select_from(_e))).where(
            _e.c.type.in_(("ticket_opened", "ticket_replied", "ticket_closed"))).group_by(_e.c.type)
        counts = {str(t): int(n) for t, n in self._all(query)}
        median, replied = self.median_ms(scope, period, "ticket_replied")
        return {"opened": counts.get("ticket_opened", 0), "closed": counts.get("ticket_closed", 0),
                "replied": replied, "median_first_reply_minutes": round(median / 60000, 1) if median is not None
                else None}

    def breakdown(self, scope: Scope, period: Period) -> dict[str, dict[str, int]]:
        """Per commune of a province (per province for everything): scans, questions, refusals, handoffs, votes."""
        key = _e.c.province if scope.everything else _e.c.commune
        query = period.where(scope.where(select(key, _e.c.type, _e.c.kind, _e.c.rating, func.count()).select_from(
            _e))).where(_e.c.type.in_(("scan", "question", "feedback"))).group_by(key, _e.c.type, _e.c.kind,
                                                                                   _e.c.rating)
        out: dict[str, dict[str, int]] = {}
        for code, type_, kind, rating, n in self._all(query):
            row = out.setdefault(str(code), {"scans": 0, "questions": 0, "refusals": 0, "handoffs": 0, "up": 0,
                                             "down": 0})
            if type_ == "scan":
                row["scans"] += int(n)
            elif type_ == "question":
                row["questions"] += int(n)
                if kind in ("refusal", "handoff"):
                    row[f"{kind}s"] += int(n)
            elif rating in ("up", "down"):
                row[rating] += int(n)
        return dict(sorted(out.items()))

    # everything at once

    def report(self, scope: Scope, period: Period,
               title_of: Callable[[str], str] = lambda code: "") -> dict[str, Any]:
        """The dashboard's figures as plain data (the JSON of `/api/clerk/analytics`, the charts, the CSV)."""
        days = period.days
        scans = self.qr_scans(scope, period)
        per_channel = self.questions(scope, period)
        channels = {c: sum(n for (_, ch), n in per_channel.items() if ch == c) for c in QUESTION_CHANNELS}
        kinds = self.answer_kinds(scope, period)
        ratings = self.ratings(scope, period)
        median, answered = self.median_ms(scope, period)
        return {
            "from": period.start.isoformat(), "to": period.end.isoformat(),
            "qr_scans": {"total": sum(scans.values()),
                         "per_day": [{"day": d.isoformat(), "count": scans.get(d, 0)} for d in days]},
            "page_opens": self.page_opens(scope, period),
            "questions": {"total": sum(per_channel.values()), "by_channel": channels,
                          "per_day": [{"day": d.isoformat(), **{c: per_channel.get((d, c), 0)
                                                                for c in QUESTION_CHANNELS}} for d in days]},
            "answer_kinds": {**{k: 0 for k in KINDS}, **kinds},
            "top_procedures": [{"code": code, "title": title_of(code), "count": n}
                               for code, n in self.top_procedures(scope, period)],
            "top_fields": [{"field": f, "count": n} for f, n in self.top_fields(scope, period)],
            "feedback": {"up": ratings.get("up", 0), "down": ratings.get("down", 0),
                         "comments": self.comments(scope, period)},
            "response_ms": {"median": median, "count": answered},
            "tickets": self.tickets(scope, period),
            "breakdown": {"by": scope.by, "rows": [{"code": code, **counts} for code, counts in (
                self.breakdown(scope, period).items() if not scope.commune else [])]},
        }

