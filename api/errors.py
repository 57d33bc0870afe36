"""Map the core's errors and bad requests to HTTP problems: specific, in Vietnamese, never a stack trace."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import ConflictError, IndexNotReadyError, InputError, NotFoundError, TthcError
from bot.limits import QUESTION_MAX_CHARS
from bot.voice.service import VoiceBusyError

log = logging.getLogger(__name__)

_FIELD_VI = {
    "message": "câu hỏi", "commune": "mã xã, phường", "session_id": "mã phiên trò chuyện", "rating": "đánh giá",
    "comment": "góp ý", "turn_id": "mã câu trả lời", "lang": "ngôn ngữ", "stream": "stream",
}


def problem(status: int, error: str, message: str, detail: str = "") -> JSONResponse:
    return JSONResponse({"error": error, "message": message, "detail": detail}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    if not errors:
        return "Yêu cầu không hợp lệ.", ""
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    kind = str(first.get("type", ""))
    if kind in ("json_invalid", "json_type") or (not loc and kind != "missing"):
        return "Dữ liệu gửi lên không phải JSON hợp lệ.", "Send a JSON object, e.g. {\"message\": \"...\"}."
    field = loc[-1] if loc else ""
    name = _FIELD_VI.get(field, field)
    if kind == "missing":
        return f"Thiếu trường '{name}'.", f"Field '{field}' is required."
    if kind == "extra_forbidden":
        return f"Trường '{field}' không được hỗ trợ.", f"Unknown field '{field}'."
    if field == "message" and kind == "string_too_short":
        return "Câu hỏi đang trống. Vui lòng nhập câu hỏi, ví dụ: 'làm giấy khai sinh cần gì'.", "message is empty"
    if field == "message" and kind == "string_too_long":
        return (f"Câu hỏi quá dài (tối đa {QUESTION_MAX_CHARS} ký tự). Vui lòng hỏi ngắn gọn hơn.",
                f"message is over {QUESTION_MAX_CHARS:,} characters")
    if field == "message" and kind == "string_pattern_mismatch":
        return "Câu hỏi đang trống hoặc chứa ký tự không hợp lệ. Vui lòng nhập câu hỏi bằng chữ.", \
            "message must contain visible text and no NUL characters"
    if field == "session_id":
        return "Mã phiên trò chuyện không hợp lệ. Hãy tải lại trang để bắt đầu phiên mới.", \
            "session_id must be 32 hexadecimal characters, as returned by /api/chat."
    return f"Giá trị của '{name}' không hợp lệ.", f"{field}: {first.get('msg', 'invalid')}"


class AdminError(TthcError):
    """Missing or wrong admin key."""


# Core errors and the HTTP status they map to; the most specific class wins (Starlette looks up the MRO).
STATUS: dict[type[TthcError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    ConflictError: (409, "conflict"),
    AdminError: (401, "unauthorized"),
    VoiceBusyError: (503, "busy"),
    InputError: (422, "invalid_input"),
    IndexNotReadyError: (503, "not_ready"),
}
RETRY_AFTER = {503: "5"}


_LONG_QUOTE = re.compile(r"'([^']{41,})'")


def _short(text: str) -> str:
    """A message with what it echoes of the request (a code, in quotes) cut to 40 characters: a 5,000-character
    code is not sent back."""
    text = _LONG_QUOTE.sub(lambda m: f"'{m.group(1)[:40]}…'", text)
    return text if len(text) <= 500 else text[:500] + "…"


def _core_handler(status: int, code: str) -> Any:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TthcError)
        response = problem(status, code, _short(exc.message_vi), _short(exc.message))
        if status in RETRY_AFTER:
            response.headers["Retry-After"] = RETRY_AFTER[status]
        return response

    return handler


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, detail = _validation_message(exc)
        return problem(422, "invalid_request", message, detail)

    for error, (status, code) in STATUS.items():
        app.add_exception_handler(error, _core_handler(status, code))

    @app.exception_handler(TthcError)
    async def _core(_: Request, exc: TthcError) -> JSONResponse:
        log.error("core error: %s", type(exc).__name__)
        return problem(500, "internal", exc.message_vi)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {400: "Dữ liệu gửi lên không đọc được: cần JSON hợp lệ, mã hóa UTF-8.",
                    404: "Không tìm thấy trang hoặc tài nguyên.", 405: "Phương thức không được hỗ trợ.",
                    413: "Dữ liệu gửi lên quá lớn.", 429: "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."}
        return problem(exc.status_code, "http_error", messages.get(exc.status_code, "Yêu cầu không hợp lệ."))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error (%s)", type(exc).__name__)
        return problem(500, "internal", "Đã có lỗi xảy ra. Vui lòng thử lại sau.")
