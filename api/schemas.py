"""Request and response models of the HTTP API (separate, as in the FastAPI full-stack template).

Limits and patterns come from `bot.limits`; the procedure card is the core `Procedure` (or `Guide`) itself plus
what a page needs, so a new field of the knowledge model reaches the API without being written twice.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.answers.types import Block, Choice, Kind, Source
from bot.knowledge.communes import Commune
from bot.knowledge.models import LEVEL_LABELS_VI, PROCEDURE_CODE_PATTERN, Guide, Procedure
from bot.limits import (
    COMMENT_MAX_CHARS,
    COMMUNE_CODE_MAX_CHARS,
    QUESTION_MAX_CHARS,
    QUESTION_PATTERN,
    SESSION_ID_PATTERN,
)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description=f"The question, up to {QUESTION_MAX_CHARS:,} characters", min_length=1,
                         max_length=QUESTION_MAX_CHARS, pattern=QUESTION_PATTERN)
    commune: str | None = Field(None, description="5-digit ward code of the commune", max_length=COMMUNE_CODE_MAX_CHARS)
    session_id: str | None = Field(None, description="32 hex characters, from an earlier answer",
                                   pattern=SESSION_ID_PATTERN)
    lang: Literal["vi", "en", "de"] | None = None
    stream: bool = False
    choice: str | None = Field(None, description="After an answer of kind `choices`: the procedure_id picked; the "
                               "session's question is then answered with it", pattern=PROCEDURE_CODE_PATTERN)


class ProcedureCard(Procedure):
    """A procedure as the knowledge file has it, plus its level names and `url` (= `source_url`)."""

    kind: Literal["procedure"] = "procedure"
    url: str
    level_labels: list[str]

    @classmethod
    def of(cls, item: Procedure) -> ProcedureCard:
        return cls(**item.model_dump(), url=item.source_url, level_labels=[LEVEL_LABELS_VI[lv] for lv in item.levels])


class GuideCard(Guide):
    kind: Literal["guide"] = "guide"
    url: str

    @classmethod
    def of(cls, item: Guide) -> GuideCard:
        return cls(**item.model_dump(), url=item.source_url)


Card = Annotated[ProcedureCard | GuideCard, Field(discriminator="kind")]


def card_of(item: Procedure | Guide) -> ProcedureCard | GuideCard:
    return GuideCard.of(item) if isinstance(item, Guide) else ProcedureCard.of(item)


class ChatResponse(BaseModel):
    answer: str
    kind: Kind = Field("answer", description="answer: one procedure, cited; choices: pick one of `choices` "
                       "(send its procedure_id as `choice`); refusal: out of scope or not in the knowledge base")
    choices: list[Choice] = Field([], description="With kind `choices`: the procedures to pick from")
    blocks: list[Block] = Field([], description="The answer in parts, the asked fact (`lead`) first; `special` "
                                "holds conditional documents, shown collapsed. Empty for generated (LLM) text")
    language: str
    in_scope: bool
    sources: list[Source] = Field(description="The official texts the answer cites (the core `Source`)")
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
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    turn_id: int | None = Field(None, ge=1, le=2_147_483_647)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=COMMENT_MAX_CHARS)


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


class CommuneOut(Commune):
    """The registry's commune, with its chat page and whatever office details it published."""

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
