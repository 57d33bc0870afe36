"""The topic of a question: what it is about, without what it asks about it.

"đăng ký kết hôn lệ phí bao nhiêu" and "đăng ký nhận con nuôi lệ phí bao nhiêu" share their whole second half,
and e5 ranks them closer to each other than to "đi đăng ký kết hôn phải mang theo những gì". Citizen phrasings
are matched with questions on their topics: the fee, time, documents, place, online and how-to phrases and the
politeness at either end are dropped from both before embedding (`embed_asked`), so the procedure decides the
match, not the kind of question. A text left with fewer than two words keeps all of its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.text import words

if TYPE_CHECKING:
    import numpy as np

    from bot.search.embedders import Embedder

# Stored with each phrasing's vector: change it with the lists below, and ingest embeds the phrasings again.
TOPIC_VERSION = "1"

# What a question asks about a procedure, dropped wherever it stands (folded, longest first).
ASKING = """
le phi bao nhieu|le phi|bao nhieu tien|het bao nhieu tien|het bao nhieu|mat bao nhieu tien|mat bao nhieu|ton bao nhieu
mat tien|ton tien|mat phi|ton phi|mien phi|phi bao nhieu|co mat phi|co ton phi|co mat tien|co ton tien|bn tien
bao nhieu
mat bao lau|bao lau|mat may ngay|may ngay|thoi han|thoi gian giai quyet|bao lau thi co|khi nao co|khi nao thi co
bao gio co|bao gio thi co|bao gio
can giay to gi|can nhung giay to gi|can nhung giay gi|giay to gi|can giay gi|giay gi|ho so gom nhung gi|ho so gom
ho so can|ho so gi|can ho so gi|can gi|can nhung gi|gom nhung gi|mang gi|mang theo nhung gi|mang theo gi
can mang theo|mang theo|chuan bi nhung gi|chuan bi gi|can chuan bi
o dau|nop o dau|lam o dau|noi nao|cho nao|co quan nao|nop dau|lam dau|di dau|o cho nao
online duoc khong|lam online|nop online|online|truc tuyen|qua mang|tren mang|dich vu cong|vneid
nhu the nao|the nao|ra sao|lam sao|cach lam|lam the nao|thu tuc gi|thu tuc|can lam gi|phai lam gi|lam gi
how much does it cost|how much is the fee|how much|how long does it take|how long|what documents do i need
what documents|what papers|where do i apply|where can i|where do i|can i apply online|online|wie lange dauert
wie viel kostet|was kostet|welche unterlagen|wo kann ich|wo beantrage ich
"""
# Greetings and particles, dropped only at the start or the end.
LEADING = """
cho hoi|cho em hoi|cho toi hoi|cho minh hoi|cho bac hoi|cho chau hoi|cho tui hoi|cho ba hoi|cho co hoi|cho anh hoi
cho chi hoi|cho ong hoi|cho con hoi|cho e hoi|e hoi|em hoi|xin hoi|hoi|toi muon hoi|em muon hoi|minh muon hoi
ad oi|ad|admin oi
"""
TRAILING = """
duoc khong|duoc ko|dc ko|dc k|duoc hong|duoc hem|duoc chu|co duoc khong|khong|ko|k|hong|hem|vay|a|nhe|nha|nhi|oi
ah|ha|z|v|ak|chua|khong a|khong vay|the|a a|duoc|dc|ko a|sao|gi|thi|hay|the nao
"""


def _phrases(block: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(p.split()) for line in block.strip().splitlines() for p in line.split("|") if p.strip())


_ASKING, _LEADING, _TRAILING = _phrases(ASKING), _phrases(LEADING), _phrases(TRAILING)
_LONGEST = max(len(p) for p in _ASKING | _LEADING | _TRAILING)


def topic_of(text: str) -> str:
    """The text without what it asks (anywhere) and without greetings and particles (at either end)."""
    tokens = text.split()
    folded = [tuple(words(t)) for t in tokens]
    keep = [bool(f) for f in folded]

    def match(at: Sequence[int], table: frozenset[tuple[str, ...]]) -> bool:
        return tuple(w for i in at for w in folded[i]) in table

    i = 0
    while i < len(tokens):
        n = next((n for n in range(min(_LONGEST, len(tokens) - i), 0, -1)
                  if all(keep[i:i + n]) and match(range(i, i + n), _ASKING)), 0)
        for j in range(i, i + n):
            keep[j] = False
        i += n or 1
    while True:
        kept = [j for j, k in enumerate(keep) if k]
        ends = [kept[:n] for n in range(min(_LONGEST, len(kept)), 0, -1) if match(kept[:n], _LEADING)]
        ends += [kept[-n:] for n in range(min(_LONGEST, len(kept)), 0, -1) if match(kept[-n:], _TRAILING)]
        if not ends:
            break
        for j in ends[0]:
            keep[j] = False
    topic = " ".join(t for t, k in zip(tokens, keep, strict=True) if k).strip(" ?.,!;:")
    return topic if len(words(topic)) >= 2 else text


def embed_asked(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Citizen phrasings, out-of-scope examples and asked questions, embedded on their topics for matching
    each other (as queries: `eval phrasings` measured that prefix best)."""
    return embedder.embed_queries([topic_of(t) for t in texts])
