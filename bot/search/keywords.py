"""A BM25 keyword index over diacritic-folded terms.

The terms of a text depend on the index's tokenizer (`TTHC_KEYWORD_TOKENIZER`, recorded in the index so that
questions are always cut the way the index was):
- `ngrams`: folded syllables and syllable bigrams;
- `pyvi`, `underthesea`: folded syllables and the text's multi-syllable words as a Vietnamese word segmenter
  cuts them ("đăng_ký", "giấy_khai_sinh"); both packages ship their models.

Built by ingest from every section chunk, saved next to the Chroma store (compressed sparse rows in one .npz),
loaded by the bot. Scoring is one numpy pass per query term.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import get_args

import numpy as np

from bot.errors import ConfigError
from bot.settings import KeywordTokenizerName, Settings
from bot.text import nfc, words

K1 = 1.2
B = 0.75
TOKENIZERS: tuple[str, ...] = get_args(KeywordTokenizerName)
DEFAULT_TOKENIZER: str = Settings.model_fields["keyword_tokenizer"].default


# English and German function words that are no Vietnamese syllable: the knowledge base holds a few English phrasings,
# so to BM25 they are rare, heavy terms ("what is the capital of France" matched an English phrasing's "what is").
# Words that are also Vietnamese syllables once folded (the/thẻ, can/cần, do/đỏ, to/tờ, an/an, me/mẹ, ich/ích) stay.
FOREIGN_STOP = frozenset(
    "what is are was were of how does did which who whom whose will would should could with from for this that these "
    "those there you your yours we our they their it its be been being have has had or if about into at by on not "
    "und ist der die das den dem des wie wo wir mein meine meinen ein eine einen einer kann konnen muss mussen fur "
    "mit von auf bei nicht sind haben habe".split())
# and, in a question written in English or German, the ones that fold to a Vietnamese syllable
FOREIGN_STOP_AMBIGUOUS = frozenset("the a an to do can in i me my so ich zu im am".split())


def ngram_terms(text: str) -> list[str]:
    syl = words(text)
    return syl + [f"{a}_{b}" for a, b in pairwise(syl)]


@cache
def _segmenter(name: str) -> Callable[[str], list[str]]:
    """A function from text to its words (syllables of a word joined by a space or "_"), loaded once."""
    if name not in TOKENIZERS or name == "ngrams":
        raise ValueError(f"unknown keyword tokenizer '{name}' (one of {', '.join(TOKENIZERS)})")
    try:
        if name == "pyvi":
            from pyvi import ViTokenizer

            return lambda text: ViTokenizer.tokenize(text).split()
        from underthesea import word_tokenize

        return lambda text: list(word_tokenize(text))
    except ImportError:
        raise ConfigError(f"TTHC_KEYWORD_TOKENIZER={name} needs the package: pip install -e '.[segment]'") from None


def segmented_terms(text: str, tokenizer: str) -> list[str]:
    """Folded syllables, plus each multi-syllable word of the segmenter's cut, folded and joined by "_"."""
    syl = words(text)
    compounds = []
    for word in _segmenter(tokenizer)(nfc(text)):
        parts = words(word.replace("_", " "))
        if len(parts) > 1:
            compounds.append("_".join(parts))
    return syl + compounds


def terms(text: str, tokenizer: str = "ngrams") -> list[str]:
    return ngram_terms(text) if tokenizer == "ngrams" else segmented_terms(text, tokenizer)


@dataclass
class KeywordIndex:
    """Postings in compressed sparse rows: term i's documents are `docs[offsets[i]:offsets[i + 1]]`, with their
    term frequencies in `tfs` at the same places."""

    ids: list[str]
    lengths: np.ndarray  # terms per document
    terms: list[str]
    offsets: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    tokenizer: str = "ngrams"
    avg_len: float = field(init=False)
    _term_index: dict[str, int] = field(init=False, repr=False)
    _weights: np.ndarray = field(init=False, repr=False)  # BM25's term-frequency part of each posting (float64)
    _idf: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.avg_len = float(self.lengths.mean()) if len(self.lengths) else 0.0
        self._term_index = {t: i for i, t in enumerate(self.terms)}
        tf = self.tfs.astype(np.float64)
        norm = K1 * (1 - B + B * self.lengths[self.docs] / max(self.avg_len, 1e-9))
        self._weights = tf * (K1 + 1) / (tf + norm)
        df = np.diff(self.offsets).astype(np.float64)
        n = len(self.ids)
        self._idf = np.log(1 + (n - df + 0.5) / (df + 0.5))

    @classmethod
    def build(cls, docs: Iterable[tuple[str, str]], tokenizer: str = "ngrams") -> KeywordIndex:
        ids: list[str] = []
        lengths: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, text in docs:
            counts = Counter(terms(text, tokenizer))
            n = len(ids)
            ids.append(doc_id)
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                postings.setdefault(term, []).append((n, tf))
        vocab = sorted(postings)
        sizes = [len(postings[t]) for t in vocab]
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        flat = [pair for t in vocab for pair in postings[t]]
        pairs = np.array(flat, dtype=np.int32).reshape(-1, 2)
        return cls(ids=ids, lengths=np.array(lengths, dtype=np.int32), terms=vocab, offsets=offsets,
                   docs=pairs[:, 0].copy(), tfs=pairs[:, 1].copy(), tokenizer=tokenizer)

    def query_terms(self, text: str, foreign: bool = False) -> list[str]:
        """The terms of a question, cut as this index's documents were, without English and German function words
        (`foreign`: the question is in English or German, so "the" is not "thẻ")."""
        stop = FOREIGN_STOP | FOREIGN_STOP_AMBIGUOUS if foreign else FOREIGN_STOP
        return terms(" ".join(w for w in words(text) if w not in stop), self.tokenizer)

    def idf(self, term: str) -> float:
        i = self._term_index.get(term)
        return float(self._idf[i]) if i is not None else 0.0

    def search(self, query_terms: list[str], k: int = 50) -> list[tuple[str, float]]:
        scores = np.zeros(len(self.ids), dtype=np.float64)
        for term, weight in sorted(Counter(query_terms).items()):  # one order, so that ties break the same way
            i = self._term_index.get(term)
            if i is None:
                continue
            start, end = self.offsets[i], self.offsets[i + 1]
            # a document appears once in a term's postings, so fancy-index addition is exact
            scores[self.docs[start:end]] += weight * self._idf[i] * self._weights[start:end]
        hit = np.flatnonzero(scores)
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        order = hit[np.argsort(-scores[hit], kind="stable")]
        return [(self.ids[d], float(scores[d])) for d in order]

    def max_score(self, query_terms: list[str]) -> float:
        """The score a document holding every query term once would get: a scale for normalising."""
        return sum(self.idf(t) * n for t, n in Counter(query_terms).items()) or 1.0

    def save(self, path: Path) -> None:
        """One .npz (no pickles); `path` is written as given, so write to a temporary name and rename."""
        with path.open("wb") as fh:
            np.savez(fh, ids=np.array(self.ids, dtype=np.str_), terms=np.array(self.terms, dtype=np.str_),
                     lengths=self.lengths, offsets=self.offsets, docs=self.docs, tfs=self.tfs,
                     tokenizer=np.array(self.tokenizer, dtype=np.str_))

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        with np.load(path, allow_pickle=False) as data:
            return cls(ids=data["ids"].tolist(), lengths=data["lengths"], terms=data["terms"].tolist(),
                       offsets=data["offsets"], docs=data["docs"], tfs=data["tfs"], tokenizer=str(data["tokenizer"]))

