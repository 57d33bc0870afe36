"""Errors of the answering core. Each carries a message a person can act on.

The edges (CLI, API) map these to exit codes and HTTP statuses; they never show str() of
an unexpected exception to a user.
"""

from __future__ import annotations


class TthcError(Exception):
    """Base class. `message` is safe to show; `message_vi` is for citizens."""

    message_vi = "Đã có lỗi xảy ra. Vui lòng thử lại sau hoặc liên hệ Trung tâm Phục vụ hành chính công."

    def __init__(self, message: str, message_vi: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if message_vi:
            self.message_vi = message_vi


class ConfigError(TthcError):
    """The settings name something that does not exist or cannot load."""


class InputError(TthcError):
    """A question, code or file the user gave that cannot be used as it is."""


class NotFoundError(InputError):
    """An unknown procedure or commune code."""


class IndexNotReadyError(TthcError):
    """The store has not been built yet."""

    message_vi = "Hệ thống chưa sẵn sàng (chưa nạp dữ liệu). Vui lòng thử lại sau."
