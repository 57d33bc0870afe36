"""Which language a question is in: Vietnamese, English or German (others fall back to English labels)."""

from __future__ import annotations

import re

from bot.text import fold, has_diacritics

_VI = {
    "toi", "lam", "giay", "o", "dau", "can", "gi", "bao", "nhieu", "khong", "duoc", "cho", "con", "dang", "ky",
    "thu", "tuc", "xin", "hoi", "the", "nao", "cua", "va", "co", "phi", "le", "ho", "so", "khai", "sinh", "em",
    "anh", "chi", "me", "bo", "nha", "xa", "phuong", "tam", "tru", "thuong", "ket", "hon", "muon", "minh", "nop",
}
_EN = {
    "the", "how", "what", "where", "do", "i", "a", "to", "is", "my", "for", "can", "need", "register", "get",
    "much", "does", "cost", "which", "documents", "long", "an", "of", "in", "apply", "card", "certificate",
}
_DE = {
    "wie", "ich", "was", "wo", "der", "die", "das", "ein", "eine", "meine", "meinen", "brauche", "kostet",
    "beantragen", "fur", "und", "ist", "lange", "dauert", "welche", "unterlagen", "mein", "kind", "einen",
}
_TOKEN = re.compile(r"[a-z]+")


def detect_language(text: str) -> str:
    if has_diacritics(text) and not re.search(r"[äöüß]", text.lower()):
        return "vi"
    toks = _TOKEN.findall(fold(text))
    if not toks:
        return "vi"
    scores = {
        "vi": sum(t in _VI for t in toks),
        "en": sum(t in _EN for t in toks) + 0.5,
        "de": sum(t in _DE for t in toks) + (2 if re.search(r"[äöüß]", text.lower()) else 0),
    }
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0.5 else "vi"
