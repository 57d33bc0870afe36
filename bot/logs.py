"""Logging set-up: every record passes through redaction, so no ID, phone or e-mail reaches a log."""

from __future__ import annotations

import logging

from bot.redact import redact

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "tthc")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactingFilter()


def install_redaction() -> None:
    """Attach the filter to the named loggers and every handler they have (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
