"""Keep personal data out of logs and storage: ID-card numbers, phone numbers, e-mail addresses."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese mobile and landline numbers, with or without +84 and separators
_PHONE = re.compile(r"(?<![\d])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\d])")
# CCCD (12 digits), CMND (9 digits), passport-like codes
_ID = re.compile(r"(?<![\d])(?:\d{12}|\d{9})(?![\d])|\b[A-Z]\d{7,8}\b")


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    return _ID.sub("[số giấy tờ]", text)
