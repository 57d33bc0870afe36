"""The shape of `GET /api/clerk/analytics`: the dashboard's figures for one commune, one province or all."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ScopeOut(BaseModel):
    level: Literal["commune", "province", "all"]
    code: str = Field(description="The commune's or the province's code; empty for all")
    name: str


class DayCount(BaseModel):
    day: str
    count: int


class Scans(BaseModel):
    total: int
    per_day: list[DayCount]


class QuestionDay(BaseModel):
    day: str
    page: int
    widget: int
    voice: int
    api: int
    cli: int


class Questions(BaseModel):
    total: int
    by_channel: dict[str, int] = Field(description="page (the commune page), widget, voice, api, cli")
    per_day: list[QuestionDay]


class TopProcedure(BaseModel):
    code: str
    title: str
    count: int


class TopField(BaseModel):
    field: str
    count: int


class Comment(BaseModel):
    day: str
    rating: str
    text: str = Field(description="As stored: phone, ID numbers, e-mails and names redacted")
    procedure_id: str
    commune: str


class FeedbackOut(BaseModel):
    up: int
    down: int
    comments: list[Comment]


class ResponseTime(BaseModel):
    median: float | None = Field(description="Median response time in milliseconds; null without questions")
    count: int


class TicketsOut(BaseModel):
    opened: int
    closed: int
    replied: int = Field(description="Tickets that got a first reply in the period")
    median_first_reply_minutes: float | None


class BreakdownRow(BaseModel):
    code: str
    name: str
    scans: int
    questions: int
    refusals: int
    handoffs: int
    up: int
    down: int


class Breakdown(BaseModel):
    by: Literal["commune", "province"]
    rows: list[BreakdownRow] = Field(description="A province's communes (all provinces for an admin); empty for "
                                                 "one commune")


class AnalyticsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    scope: ScopeOut
    from_: str = Field(alias="from")
    to: str
    qr_scans: Scans
    page_opens: dict[str, int] = Field(description="Pages opened other than by the QR code: page, widget")
    questions: Questions
    answer_kinds: dict[str, int] = Field(description="answer, choices, refusal, handoff")
    top_procedures: list[TopProcedure]
    top_fields: list[TopField]
    feedback: FeedbackOut
    response_ms: ResponseTime
    tickets: TicketsOut
    breakdown: Breakdown
