"""The compiled knowledge base the bot reads at run time: procedure cards, guides, keyword index, lexicon.

Ingest writes it under var/index; the bot never parses knowledge/ Markdown on a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import IndexNotReadyError, NotFoundError
from bot.knowledge.models import Guide, Procedure
from bot.search.classifier import Classifier
from bot.search.keywords import KeywordIndex
from bot.search.lexicon import Lexicon
from bot.search.scope import ScopeModel, ScopeWords

CATALOG_FILE = "catalog.json"
LEXICON_FILE = "lexicon.json"
KEYWORD_FILE = "keyword.npz"
STATE_FILE = "state.json"
SCOPE_FILE = "scope.json"
CLASSIFIER_FILE = "classifier.npz"
WORDS_FILE = "words.npz"  # the classifier's word model
SCOPE_WORDS_FILE = "scope_words.npz"  # the scope model's word counts
# files an index of today's layout has and an older one lacks (keyword.json before keyword.npz; no scope model; no
# classifier; no word model; no scope word counts)
LAYOUT_FILES = (KEYWORD_FILE, SCOPE_FILE, CLASSIFIER_FILE, WORDS_FILE, SCOPE_WORDS_FILE)


def older_layout(index_dir: Path) -> bool:
    """Does the index in `index_dir` lack a file of today's layout (`tthc ingest` writes it)?"""
    return any(not (index_dir / name).exists() for name in LAYOUT_FILES)


@dataclass
class Catalog:
    procedures: dict[str, Procedure]
    guides: dict[str, Guide]
    chunk_section: dict[str, tuple[str, str]]
    keyword: KeywordIndex
    lexicon: Lexicon = field(default_factory=Lexicon)
    scope: ScopeModel = field(default_factory=ScopeModel)  # how likely a question is out of scope
    scope_words: ScopeWords = field(default_factory=ScopeWords)  # the same, from its words
    classifier: Classifier = field(default_factory=Classifier)  # which procedure a question is about
    items: dict[str, Procedure | Guide] = field(default_factory=dict)  # procedures and guides by code
    chunk_ids: dict[str, list[str]] = field(default_factory=dict)  # every chunk's id, by its procedure's code

    def __post_init__(self) -> None:
        self.items = {**self.procedures, **self.guides}
        for chunk_id, (code, _) in self.chunk_section.items():
            self.chunk_ids.setdefault(code, []).append(chunk_id)

    @classmethod
    def load(cls, index_dir: Path) -> Catalog:
        path = index_dir / CATALOG_FILE
        if not (index_dir / STATE_FILE).exists() or not path.exists():
            raise IndexNotReadyError(f"No index in {index_dir}. Run `tthc ingest` first (or `make run`).")
        if older_layout(index_dir):
            raise IndexNotReadyError(f"The index in {index_dir} is of an older layout. Run `tthc ingest`.")
        lexicon_path = index_dir / LEXICON_FILE
        lexicon = json.loads(lexicon_path.read_text(encoding="utf-8")) if lexicon_path.exists() else {}
        if lexicon and "refusals" not in lexicon:
            # compiled before the refusal rules were data (knowledge/refusals.yaml): it would refuse nothing
            raise IndexNotReadyError(f"The index in {index_dir} is of an older layout. Run `tthc ingest`.")
        data = json.loads(path.read_text(encoding="utf-8"))
        procs = {p["code"]: Procedure.model_validate(p) for p in data["procedures"]}
        guides = {g["code"]: Guide.model_validate(g) for g in data["guides"]}
        chunks = {k: (v[0], v[1]) for k, v in data["chunks"].items()}
        scope = ScopeModel.model_validate_json((index_dir / SCOPE_FILE).read_text(encoding="utf-8"))
        return cls(procs, guides, chunks, KeywordIndex.load(index_dir / KEYWORD_FILE),
                   Lexicon.model_validate(lexicon), scope=scope,
                   scope_words=ScopeWords.load(index_dir / SCOPE_WORDS_FILE),
                   classifier=Classifier.load(index_dir / CLASSIFIER_FILE, index_dir / WORDS_FILE))

    def get(self, code: str) -> Procedure | Guide:
        key = code.strip()
        item = self.items.get(key)
        if item is None:
            raise NotFoundError(
                f"Unknown procedure code '{code}'. Search with `tthc search WORDS` to find a code.",
                f"Không tìm thấy thủ tục có mã '{code}'.",
            )
        return item


def index_version(index_dir: Path) -> int:
    """Changes whenever ingest has run (it rewrites or touches the state file last): the signal that makes
    every worker reload. 0 when there is no index."""
    try:
        return (index_dir / STATE_FILE).stat().st_mtime_ns
    except OSError:
        return 0
