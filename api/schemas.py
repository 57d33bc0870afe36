"""Request and response models of the HTTP API (separate, as in the FastAPI full-stack template).

Limits and patterns come from `bot.limits`; the procedure card is the core `Procedure` (or `Guide`) itself plus
what a page needs, so a new field of the knowledge model reaches the API without being written twice.
"""

from __future__ import annotations

from textwrap import shorten
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.schemas_handoff import HandoffResponse
from bot.answers.brief import MESSAGE_CHARS, brief, render_short
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
    stream: StrictBool = Field(False, description="true: Server-Sent Events; only JSON true or false")
    choice: str | None = Field(None, description="After an answer of kind `choices`: the procedure_id picked; the "
                               "session's question is then answered with it", pattern=PROCEDURE_CODE_PATTERN)


class ProcedureCard(Procedure):
    """A procedure as the knowledge file has it, plus its level names and `url` (= `source_url`); on the clerk's
    card (`GET /api/procedures/{code}`) also the citizen summary as answer blocks and as a message to paste."""

    kind: Literal["procedure"] = "procedure"
    url: str
    level_labels: list[str]
    brief: list[Block] = Field([], description="The citizen summary as answer blocks (where, time, the fee in "
                               "force today, the documents checklist, special cases, link); clerk card only")
    brief_text: str = Field("", description=f"The summary as one message to paste, at most {MESSAGE_CHARS} "
                            "characters, with the official link; clerk card only")

    @classmethod
    def of(cls, item: Procedure, with_brief: bool = False) -> ProcedureCard:
        blocks = brief(item, [], "vi") if with_brief else []
        return cls(**item.model_dump(), url=item.source_url, level_labels=[LEVEL_LABELS_VI[lv] for lv in item.levels],
                   brief=blocks, brief_text=render_short(blocks, "vi") if blocks else "")


class GuideCard(Guide):
    kind: Literal["guide"] = "guide"
    url: str
    brief_text: str = ""

    @classmethod
    def of(cls, item: Guide, with_brief: bool = False) -> GuideCard:
        text = "\n".join(x for x in (item.title, shorten(item.body, 500, placeholder="…"), item.source_url) if x)
        return cls(**item.model_dump(), url=item.source_url, brief_text=text if with_brief else "")


Card = Annotated[ProcedureCard | GuideCard, Field(discriminator="kind")]


def card_of(item: Procedure | Guide, with_brief: bool = False) -> ProcedureCard | GuideCard:
    """The card; `with_brief`: with the citizen summary and the message to paste (the clerk's lookup)."""
    return GuideCard.of(item, with_brief) if isinstance(item, Guide) else ProcedureCard.of(item, with_brief)


class ChatResponse(BaseModel):
    answer: str
    kind: Kind = Field("answer", description="answer: one procedure, cited; choices: pick one of `choices` "
                       "(send its procedure_id as `choice`); refusal: out of scope or not in the knowledge base; "
                       "handoff: the citizen asked for a person (see `handoff`)")
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
    handoff: HandoffResponse | None = Field(None, description="With kind `handoff`: the ticket, as POST /api/handoff "
                                            "returns it (null when the question came with no commune)")
    offer_handoff: bool = Field(False, description="The session failed the citizen twice (refusals, choices not "
                                "taken, thumbs-down): offer a person (POST /api/handoff)")


class VoiceResponse(ChatResponse):
    transcript: str = Field(description="What Whisper heard")
    corrected: str = Field(description="The transcript corrected against the knowledge base's vocabulary")
    duration: float = Field(description="Seconds of audio")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    turn_id: int = Field(ge=1, le=2_147_483_647, description="The answer rated (its `turn_id`); one vote per answer")
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=COMMENT_MAX_CHARS)


class FeedbackResponse(BaseModel):
    id: int
    message: str
    offer_handoff: bool = Field(False, description="The session failed the citizen twice: offer a person")


class ProcedureHit(BaseModel):
    procedure_id: str
    title: str
    level: str
    level_labels: list[str] = Field([], description="Every level it is done at, in Vietnamese (Cấp xã, …); "
                                    "«Hướng dẫn» for a guide")
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
    401: "Missing or wrong admin key", 404: "Unknown code", 409: "Done once already (e.g. this answer was rated)",
    413: "Body or upload too large",
    422: "Invalid input; `message` says why, in Vietnamese", 429: "Too many requests from this address",
    503: "Busy or not ready; retry later",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can give, all in the Problem shape."""
    return {code: {"model": Problem, "description": _PROBLEM_TEXT[code]} for code in codes}
