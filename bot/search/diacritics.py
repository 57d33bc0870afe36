"""Put diacritics back on a question typed without them, using the knowledge base's own words.

"dang ky ket hon" -> "đăng ký kết hôn": the dense embedder understands the restored form far
better. Each folded 1-3 syllable sequence maps to its most frequent written form in the titles.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from bot.text import fold, has_diacritics

_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ỹđĐ]+")
MAX_N = 3


class Restorer:
    def __init__(self, texts: Iterable[str]) -> None:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            if not has_diacritics(text):  # it can only teach folded forms ("tro cap" for "trợ cấp")
                continue
            toks = [t.lower() for t in _WORD_RE.findall(text)]
            for n in range(1, MAX_N + 1):
                for i in range(len(toks) - n + 1):
                    gram = toks[i : i + n]
                    counts[" ".join(fold(t) for t in gram)][" ".join(gram)] += 1
        self._best = {k: c.most_common(1)[0][0] for k, c in counts.items()}

    def restore(self, text: str) -> str:
        if has_diacritics(text):
            return text
        toks = _WORD_RE.findall(fold(text))
        out: list[str] = []
        i = 0
        while i < len(toks):
            for n in range(min(MAX_N, len(toks) - i), 0, -1):
                key = " ".join(toks[i : i + n])
                if key in self._best:
                    out.append(self._best[key])
                    i += n
                    break
            else:
                out.append(toks[i])
                i += 1
        return " ".join(out)
