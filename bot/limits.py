"""Limits and patterns shared by the core and the HTTP schemas. Each is defined here, once."""

from __future__ import annotations

import re

QUESTION_MAX_CHARS = 2000  # a question, typed or transcribed
COMMENT_MAX_CHARS = 1000  # a feedback comment
COMMUNE_CODE_MAX_CHARS = 16  # longer than any ward code, so that a wrong one gets a 404 that names it
SESSION_ID_PATTERN = r"^[0-9a-f]{32}$"  # what `new_session_id()` makes
SESSION_ID_RE = re.compile(SESSION_ID_PATTERN)
# at least one visible character and no NUL: what the core accepts as a question
QUESTION_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
