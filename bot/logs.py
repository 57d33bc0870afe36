"""Logging set-up: every record passes through redaction, so no ID, phone, e-mail or name reaches a log.

Arguments are redacted one by one and the record keeps its shape: uvicorn's access formatter reads `record.args`
as (client, method, target, HTTP version, status), so an access line keeps its five arguments, with the request
target's path and query values redacted (`redact_url`). Only a message whose personal data is not in a string
argument is flattened into one redacted string.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.redact import redact, redact_url

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "tthc")
ACCESS_LOGGER = "uvicorn.access"


def _clean(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == 5:
            client, method, target, version, status = args
            record.args = (client, method, redact_url(str(target)), version, status)
            return True
        if isinstance(args, tuple):
            record.args = tuple(_clean(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _clean(v) for k, v in args.items()}
        record.msg = _clean(record.msg)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: logging reports it as it always does
            return True
        cleaned = redact(message)
        if cleaned != message:  # personal data in a non-string argument
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:  # a traceback can quote a question
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
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
