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


class ConflictError(InputError):
    """A request that would repeat something done once only (a second vote on the same answer)."""


class IndexNotReadyError(TthcError):
    """The store has not been built yet."""

    message_vi = "Hệ thống chưa sẵn sàng (chưa nạp dữ liệu). Vui lòng thử lại sau."


class AuthError(TthcError):
    """No signed-in clerk, or credentials that do not sign one in."""

    message_vi = "Vui lòng đăng nhập bằng tài khoản cán bộ."


class ForbiddenError(TthcError):
    """A state-changing request without the session's CSRF token."""

    message_vi = "Phiên làm việc không hợp lệ hoặc đã hết hạn. Vui lòng tải lại trang rồi thử lại."


class TooManyAttemptsError(TthcError):
    """Too many failed sign-ins from one address; `retry_after` seconds until the next try."""

    message_vi = "Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau ít phút."

    def __init__(self, message: str, retry_after: int, message_vi: str | None = None) -> None:
        super().__init__(message, message_vi)
        self.retry_after = retry_after
