"""The unanswered-question loop (issue 14): the questions the bot did not answer well, grouped by meaning.

The stored questions (redacted) are embedded with the assistant's own embedder (as queries, the way citizen
phrasings are embedded) and clustered by average linkage on cosine similarity (`bot.search.clusters`). Questions
written the same way (compared folded) count once in the clustering and by their number in the group. Groups come
ordered by how many questions they hold, then by the latest. A group is named by its oldest question's turn id, so a
form posted a little later still finds it; an account can only ever reach the groups of its own reach.

Vectors are kept per question text in a bounded in-memory cache: a page view embeds only what is new.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from bot.database.unanswered import Reach, Unanswered, UnansweredRepository
from bot.errors import NotFoundError
from bot.search.clusters import agglomerate
from bot.search.embedders import Embedder
from bot.text import fold

CACHE_SIZE = 20_000  # question vectors kept (384 floats each: about 30 MB)


@dataclass(frozen=True)
class Phrasing:
    """One way a group's question was written, how often, and when last."""

    text: str
    count: int
    last: datetime


@dataclass(frozen=True)
class Group:
    key: str  # "g" + the oldest turn id: stable while the group stands
    questions: list[Unanswered]  # newest first
    phrasings: list[Phrasing]  # distinct, most asked first

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def first(self) -> datetime:
        return min(q.created_at for q in self.questions)

    @property
    def last(self) -> datetime:
        return max(q.created_at for q in self.questions)

    @property
    def turn_ids(self) -> list[int]:
        return [q.turn_id for q in self.questions]

    @property
    def communes(self) -> list[str]:
        return sorted({q.commune for q in self.questions})

    @property
    def reasons(self) -> dict[str, int]:
        return dict(Counter(q.why for q in self.questions).most_common())

    @property
    def signature(self) -> str:
        """Changes when the group's phrasings do: a form built on an older list is refused, not misread."""
        return hashlib.sha256("\n".join(p.text for p in self.phrasings).encode()).hexdigest()[:12]


class Groups:
    def __init__(self, repository: UnansweredRepository, embedder: Embedder, threshold: float = 0.9,
                 days: int = 90, limit: int = 1500) -> None:
        self.repository = repository
        self.embedder = embedder
        self.threshold = threshold
        self.days = days
        self.limit = limit
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text, from the cache where it can."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh = self.embedder.embed_queries(missing) if missing else np.zeros((0, self.embedder.dim), np.float32)
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._cache[text] = vector
            rows = []
            for text in texts:
                self._cache.move_to_end(text)
                rows.append(self._cache[text])
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), np.float32)

    def cluster(self, questions: list[Unanswered]) -> list[Group]:
        """The questions grouped by meaning, the biggest group first (then the most recent)."""
        by_text: dict[str, list[Unanswered]] = {}
        for q in sorted(questions, key=lambda q: -q.turn_id):  # newest first: a text is shown as last written
            by_text.setdefault(fold(q.question), []).append(q)
        keys = list(by_text)
        shown = [by_text[k][0].question for k in keys]
        groups = []
        for members in agglomerate(self.vectors(shown), self.threshold):
            asked = sorted((q for m in members for q in by_text[keys[m]]), key=lambda q: -q.turn_id)
            phrasings = sorted((Phrasing(by_text[keys[m]][0].question, len(by_text[keys[m]]),
                                         by_text[keys[m]][0].created_at) for m in members),
                               key=lambda p: (-p.count, -p.last.timestamp()))
            groups.append(Group(f"g{min(q.turn_id for q in asked)}", asked, phrasings))
        return sorted(groups, key=lambda g: (-g.count, -g.last.timestamp(), g.key))

    def groups(self, reach: Reach, now: datetime) -> list[Group]:
        """The groups of the questions in reach from the retention period before `now`."""
        since = now - timedelta(days=self.days)
        return self.cluster(self.repository.recent(reach, since, self.limit))

    def group(self, reach: Reach, key: str, now: datetime) -> Group:
        """One group in reach by its key; NotFoundError otherwise (unknown, decided on, or out of reach alike)."""
        for group in self.groups(reach, now):
            if group.key == key or (key.startswith("g") and key[1:].isdigit() and int(key[1:]) in group.turn_ids):
                return group
        raise NotFoundError(f"No open group '{key[:16]}' for this account.",
                            "Không tìm thấy nhóm câu hỏi này (có thể đã được xử lý). Hãy tải lại trang.")
