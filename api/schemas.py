"""Request and response models of the HTTP API (separate, as in the FastAPI full-stack template)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.models import LEVEL_LABELS_VI, Guide, Procedure

SESSION_PATTERN = r"^[0-9a-f]{32}$"
# at least one visible character, no NUL: what the core accepts as a question
QUESTION_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description="The question, up to 2,000 characters", min_length=1, max_length=2000,
                         pattern=QUESTION_PATTERN)
    commune: str | None = Field(None, description="5-digit ward code of the commune", max_length=16)
    session_id: str | None = Field(None, description="32 hex characters, from an earlier answer",
                                   pattern=SESSION_PATTERN)
    lang: Literal["vi", "en", "de"] | None = None
    stream: bool = False


class SourceOut(BaseModel):
    procedure_id: str
    title: str
    url: str
    section: str


class ChannelOut(BaseModel):
    channel: str
    time: str
    fee: str
    note: str


class DocumentOut(BaseModel):
    name: str
    quantity: str
    form: str
    group: str


class LegalOut(BaseModel):
    title: str
    number: str
    article: str


class Card(BaseModel):
    code: str
    title: str
    kind: Literal["procedure", "guide"] = "procedure"
    levels: list[str] = []
    level_labels: list[str] = []
    field: str = ""
    agency: str = ""
    authority: str = ""
    source: str = "portal"
    url: str = ""
    applicants: str = ""
    channels: list[ChannelOut] = []
    documents: list[DocumentOut] = []
    legal_basis: list[LegalOut] = []
    result: str = ""
    sections: dict[str, str] = {}

    @classmethod
    def of(cls, item: Procedure | Guide) -> Card:
        if isinstance(item, Guide):
            return cls(code=item.code, title=item.title, kind="guide", url=item.source_url,
                       sections={"noi-dung": item.body})
        return cls(
            code=item.code, title=item.title, levels=list(item.levels),
            level_labels=[LEVEL_LABELS_VI[lv] for lv in item.levels], field=item.field, agency=item.agency,
            authority=item.authority, source=item.source, url=item.source_url, applicants=item.applicants,
            channels=[ChannelOut(**c.model_dump()) for c in item.channels],
            documents=[DocumentOut(**d.model_dump()) for d in item.documents],
            legal_basis=[LegalOut(**r.model_dump()) for r in item.legal_basis], result=item.result,
            sections=dict(item.sections),
        )


class ChatResponse(BaseModel):
    answer: str
    language: str
    in_scope: bool
    sources: list[SourceOut]
    session_id: str
    turn_id: int
    card: Card | None = None
    generator: str = Field("extractive", description="what wrote the answer: extractive, openai or llamacpp")


class VoiceResponse(ChatResponse):
    transcript: str = Field(description="What Whisper heard")
    corrected: str = Field(description="The transcript corrected against the knowledge base's vocabulary")
    duration: float = Field(description="Seconds of audio")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str = Field(pattern=SESSION_PATTERN)
    turn_id: int | None = Field(None, ge=1, le=2_147_483_647)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


class FeedbackResponse(BaseModel):
    id: int
    message: str


class ProcedureHit(BaseModel):
    procedure_id: str
    title: str
    level: str
    field: str
    score: float
    url: str
    snippet: str


class ProcedureSearchResponse(BaseModel):
    query: str
    in_scope: bool
    results: list[ProcedureHit]


class CommuneOut(BaseModel):
    ward_code: str
    ward_name: str
    ward_type: str
    province_code: str
    province_name: str
    merged_from_text: str
    chat_url: str
    office: dict[str, str] | None = None


class Problem(BaseModel):
    """Every error: a stable code, a message for people (Vietnamese where citizens see it), and what to do."""

    error: str
    message: str
    detail: str = ""


_PROBLEM_TEXT = {
    401: "Missing or wrong admin key", 404: "Unknown code", 413: "Body or upload too large",
    422: "Invalid input; `message` says why, in Vietnamese", 429: "Too many requests from this address",
    503: "Busy or not ready; retry later",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can give, all in the Problem shape."""
    return {code: {"model": Problem, "description": _PROBLEM_TEXT[code]} for code in codes}
