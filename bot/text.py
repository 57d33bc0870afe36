"""Vietnamese text normalisation: NFC, tone-mark placement, diacritic folding, tokens.

Everything that compares Vietnamese strings goes through here, so that "hoà" and "hòa",
"giấy khai sinh" and "giay khai sinh" meet in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from functools import lru_cache

# Combining tone marks (dấu thanh). Vowel-quality marks (circumflex, breve, horn) are kept apart.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
_MARKED = set("ăâêôơư")
_WORD_RE = re.compile(r"[0-9a-zA-Zà-ỹÀ-ỸđĐ]+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = nfc(text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return _SPACE_RE.sub(" ", text).strip()


def _split_tone(syllable: str) -> tuple[str, str]:
    """Return (syllable without tone mark, tone mark or '')."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONES:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_index(base: str) -> int | None:
    """Index of the vowel that carries the tone, by the 'hòa' convention."""
    low = base.lower()
    start = 0
    if low.startswith("qu") or (low.startswith("gi") and len(low) > 2 and low[2] in _VOWELS):
        start = 2
    idx = [i for i in range(start, len(low)) if low[i] in _VOWELS]
    if not idx:
        idx = [i for i in range(len(low)) if low[i] in _VOWELS]
    if not idx:
        return None
    for i in reversed(idx):
        if low[i] in _MARKED:
            return i
    if len(idx) == 1:
        return idx[0]
    ends_in_vowel = idx[-1] == len(low) - 1
    if not ends_in_vowel:
        return idx[-1]
    if len(idx) >= 3:
        return idx[1]
    return idx[0]


@lru_cache(maxsize=65536)
def _fold_syllable(syllable: str) -> str:
    base, tone = _split_tone(syllable)
    if not tone:
        return syllable
    pos = _tone_index(base)
    if pos is None:
        return syllable
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


def fold_tones(text: str) -> str:
    """NFC text with tone marks moved to one canonical place: 'hoà' -> 'hòa'."""
    return _WORD_RE.sub(lambda m: _fold_syllable(m.group(0)), nfc(text))


def canonical(text: str) -> str:
    """The form used to compare names: NFC, folded tones, lower case, single spaces."""
    return _SPACE_RE.sub(" ", fold_tones(text).lower()).strip()


def _strip_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=1)
def _strip_table() -> dict[int, str]:
    """Each character of `_WORD_RE` (À to ỹ) that loses a mark (built on first use, about 10 ms): one
    `str.translate` folds a whole text, seven times faster than a regex callback per word."""
    chars = map(chr, range(ord("À"), ord("ỹ") + 1))
    return {ord(ch): stripped for ch in chars if _WORD_RE.fullmatch(ch) and (stripped := _strip_char(ch)) != ch}


def strip_diacritics(text: str) -> str:
    """'Giấy khai sinh' -> 'Giay khai sinh'. Keeps case and punctuation."""
    return nfc(text).translate(_strip_table())


def fold(text: str) -> str:
    """Lower-case ASCII folding used by the keyword index and the matchers."""
    return _SPACE_RE.sub(" ", strip_diacritics(text).lower().replace("ß", "ss")).strip()


def words(text: str) -> list[str]:
    """Folded syllables of a text."""
    return _WORD_RE.findall(fold(text))


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance between two sequences (letters of a syllable, or words of a sentence)."""
    if not a or not b:
        return len(a) or len(b)
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != nfc(text)
