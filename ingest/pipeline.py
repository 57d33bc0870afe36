"""`tthc ingest`: validate knowledge files, chunk, embed, upsert into Chroma, rebuild the keyword index.

Incremental by content hash: an unchanged file is not re-embedded, a changed file replaces its
chunks, a deleted file's chunks are removed. The catalog and keyword index are written through
temp files and renamed, so a crash never leaves a half-written index.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from bot.knowledge.communes import OfficeFileError, Registry, load_office
from bot.knowledge.models import Guide, Procedure
from bot.knowledge.summary import summary_problems
from bot.redact import redact
from bot.search.catalog import (
    CATALOG_FILE,
    CLASSIFIER_FILE,
    KEYWORD_FILE,
    LEXICON_FILE,
    SCOPE_FILE,
    SCOPE_WORDS_FILE,
    STATE_FILE,
    WORDS_FILE,
    older_layout,
)
from bot.search.classifier import Classifier
from bot.search.embedders import Embedder
from bot.search.keywords import DEFAULT_TOKENIZER, KeywordIndex
from bot.search.lexicon import LEXICON_YAML, REFUSALS_YAML, Lexicon
from bot.search.query import parse_query
from bot.search.refusals import Refusals
from bot.search.retrieval import OUTSIDE_CODE, QUESTION_KIND
from bot.search.scope import ScopeModel, ScopeWords
from bot.search.topic import embed_asked
from bot.search.vectors import Chunks, Store
from bot.search.words import WordModel
from bot.text import fold
from ingest.chunks import Chunk, guide_chunks, procedure_chunks
from ingest.files import KnowledgeFileError, Loaded, digest, load_guide, load_procedure, write_atomic
from ingest.outside import folded_phrasings, load_outside, outside_chunks

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    files: int = 0
    embedded_files: int = 0
    unchanged_files: int = 0
    removed_files: int = 0
    dense_chunks: int = 0
    keyword_chunks: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rebuilt_index: bool = False


def load_knowledge(knowledge_dir: Path) -> tuple[list[Loaded], list[KnowledgeFileError]]:
    loaded: list[Loaded] = []
    errors: list[KnowledgeFileError] = []
    seen: dict[str, Path] = {}
    phrasings: dict[str, str] = {}  # folded citizen phrasing -> its procedure
    sources = [(p, load_procedure) for p in sorted((knowledge_dir / "procedures").glob("*.md"))]
    sources += [(p, load_guide) for p in sorted((knowledge_dir / "guides").glob("*.md"))]
    for path, loader in sources:
        try:
            item = loader(path)
        except KnowledgeFileError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(KnowledgeFileError(path, "file", f"cannot be read ({type(exc).__name__})"))
            continue
        code = item.item.code
        if code in seen:
            errors.append(KnowledgeFileError(path, "code", f"'{code}' is also used by {seen[code]}"))
            continue
        problem = phrasing_problem(item.item, phrasings)
        if problem:
            errors.append(KnowledgeFileError(path, "questions", problem))
            continue
        unsupported = summary_problems(item.item) if isinstance(item.item, Procedure) else []
        if unsupported:
            where, value = unsupported[0]
            errors.append(KnowledgeFileError(path, where, f"'{value}' is not found in the procedure's own text: "
                                             "a summary may only say what the official text says"))
            continue
        seen[code] = path
        loaded.append(item)
    return loaded, errors


def phrasing_problem(item: Procedure | Guide, taken: dict[str, str]) -> str:
    """Citizen phrasings must be one procedure's only (compared folded) and hold no personal data; on success
    they are added to `taken`."""
    questions = getattr(item, "questions", [])
    mine: dict[str, str] = {}
    for question in questions:
        if redact(question) != question:
            return f"'{question}' holds personal data (a phone, ID or e-mail): write the question without it"
        key = fold(question)
        if key in taken:
            return f"'{question}' is also a phrasing of {taken[key]}: a phrasing must point to one procedure"
        if key in mine:
            return f"'{question}' is written twice"
        mine[key] = item.code
    taken.update(mine)
    return ""


def check_offices(knowledge_dir: Path) -> list[str]:
    """Validate knowledge/offices/*.yaml against the commune registry; return one message per bad file."""
    offices = sorted((knowledge_dir / "offices").glob("*.yaml"))
    if not offices:
        return []
    registry = Registry.load(knowledge_dir)
    problems = []
    for path in offices:
        try:
            load_office(path, registry)
        except OfficeFileError as exc:
            problems.append(str(exc))
    return problems


def chunks_for(item: Procedure | Guide) -> list[Chunk]:
    return procedure_chunks(item) if isinstance(item, Procedure) else guide_chunks(item)


def embed(chunks: list[Chunk], embedder: Embedder) -> Any:
    """Passages as passages, citizen phrasings as queries; rows in the order of `chunks`."""
    out = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for as_query in (False, True):
        rows = [i for i, c in enumerate(chunks) if c.as_query == as_query]
        if rows:
            texts = [chunks[i].text for i in rows]
            out[rows] = embed_asked(embedder, texts) if as_query else embedder.embed_passages(texts)
    return out


LEXICON_KEY = "~lexicon"  # the lexicon's digest, beside the procedures' in the state file
INDEX_KEY = "~index"  # the layout of the index and the keyword tokenizer: a change rebuilds it
# v2: dense chunks in one collection per kind, keyword index in keyword.npz; v3: citizen phrasings embedded on
# their topics (`make run` ingests again; chunks embedded another way are re-embedded by their `embedded` mark)
INDEX_LAYOUT = "v3"


def index_key(tokenizer: str) -> str:
    return f"{INDEX_LAYOUT}:{tokenizer}"


def load_lexicon(knowledge_dir: Path) -> tuple[Lexicon | None, str, str]:
    """(lexicon, digest, error) of knowledge/lexicon.yaml with the refusal rules of knowledge/refusals.yaml; an
    invalid file gives None and says where."""
    paths = [knowledge_dir / LEXICON_YAML, knowledge_dir / REFUSALS_YAML]
    data = b"".join(p.read_bytes() for p in paths if p.exists())
    if not data:
        return Lexicon(), "", ""
    path = paths[0]
    try:
        lexicon = Lexicon.read(path)
        path = paths[1]
        refusals = Refusals.read(path)
    except ValidationError as exc:
        first = exc.errors()[0]
        return None, digest(data), f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}"
    except (UnicodeDecodeError, yaml.YAMLError):
        return None, digest(data), f"{path}: file: not valid UTF-8 YAML"
    return lexicon.with_refusals(refusals), digest(data), ""


def _state(index_dir: Path) -> dict[str, str]:
    try:
        return dict(json.loads((index_dir / STATE_FILE).read_text(encoding="utf-8"))["digests"])
    except (OSError, ValueError, KeyError):
        return {}


def needs_ingest(knowledge_dir: Path, index_dir: Path, tokenizer: str = DEFAULT_TOKENIZER) -> bool:
    """Cheap check for `make run`: is there no index, one of another layout or tokenizer, or a file newer than
    it?"""
    state = index_dir / STATE_FILE
    if not state.exists() or not (index_dir / CATALOG_FILE).exists() or older_layout(index_dir):
        return True
    if _state(index_dir).get(INDEX_KEY) != index_key(tokenizer):
        return True
    built = state.stat().st_mtime
    files = [*knowledge_dir.rglob("*.md"), *knowledge_dir.rglob("*.yaml")]
    return any(p.stat().st_mtime > built for p in files)


def ingest(
    knowledge_dir: Path,
    index_dir: Path,
    store: Store,
    embedder: Embedder,
    progress: Progress | None = None,
    batch: int = 64,
    tokenizer: str = DEFAULT_TOKENIZER,
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    loaded, errors = load_knowledge(knowledge_dir)
    report.errors = [str(e) for e in errors] + check_offices(knowledge_dir)
    for err in errors:
        log.warning("skipped %s (%s): %s", err.path, err.where, err.message)
    report.files = len(loaded)

    lexicon, lexicon_digest, lexicon_error = load_lexicon(knowledge_dir)
    if lexicon_error:  # the index keeps the lexicon it had
        report.errors.append(lexicon_error)
    digests = {item.item.code: item.digest for item in loaded}
    if lexicon is not None and lexicon_digest:
        digests[LEXICON_KEY] = lexicon_digest
    digests[INDEX_KEY] = index_key(tokenizer)
    examples, outside_error = load_outside(knowledge_dir, folded_phrasings(i.item for i in loaded))
    if outside_error:  # the store keeps the examples it had
        report.errors.append(outside_error)
    outside = outside_chunks(examples)
    outside_digest = digest("\n".join(examples).encode())
    if outside or outside_error:
        digests[OUTSIDE_CODE] = outside_digest
    stored = store.all_metadata()
    stored_digest: dict[str, str] = {}
    ids_by_code: dict[str, list[str]] = {}
    stored_as = {chunk_id: (str(meta.get("kind", "")), str(meta.get("embedded", "")))
                 for chunk_id, meta in stored.items()}

    def stored_alike(chunks: list[Chunk]) -> bool:
        """Each dense chunk stored with its kind and embedded the same way (a store from before kinds, or from
        before phrasings were embedded on their topics, is embedded again)."""
        return all(stored_as.get(c.id) == (c.kind, c.embedded) for c in chunks if c.dense)

    for chunk_id, meta in stored.items():
        code = str(meta.get("code", ""))
        ids_by_code.setdefault(code, []).append(chunk_id)
        stored_digest[code] = str(meta.get("digest", ""))

    # a code whose file vanished, or failed validation, loses its chunks
    failed_codes = {e.path.stem for e in errors} | ({OUTSIDE_CODE} if outside_error else set())
    gone = [c for c in ids_by_code if c not in digests and c not in failed_codes]
    for code in gone:
        store.delete(ids_by_code[code])
    report.removed_files = len(gone)

    all_chunks: list[Chunk] = []
    todo: list[tuple[Loaded, list[Chunk]]] = []
    for item in loaded:
        chunks = chunks_for(item.item)
        all_chunks.extend(chunks)
        dense_ids = sorted(c.id for c in chunks if c.dense)
        code = item.item.code
        # unchanged: same text, same chunks, stored alike
        if (stored_digest.get(code) == item.digest and sorted(ids_by_code.get(code, [])) == dense_ids
                and stored_alike(chunks)):
            report.unchanged_files += 1
            continue
        todo.append((item, chunks))

    total = sum(sum(c.dense for c in chunks) for _, chunks in todo)
    done = 0
    pending: list[tuple[Chunk, str]] = []

    stale: list[str] = []

    def flush() -> None:
        # One upsert holds whole procedures only, and old chunks go after the new ones are in: a crash
        # between two flushes leaves every procedure either as it was or as it is now, never half of each.
        nonlocal done
        if pending:
            vectors = embed([c for c, _ in pending], embedder)
            store.upsert([c.id for c, _ in pending], vectors, [c.text for c, _ in pending],
                         [c.metadata(d) for c, d in pending])
            done += len(pending)
            pending.clear()
        store.delete(stale)
        stale.clear()
        if progress:
            progress(done, total)

    for item, chunks in todo:
        code = item.item.code
        dense = [c for c in chunks if c.dense]
        if pending and len(pending) + len(dense) > batch:
            flush()
        pending.extend((c, item.digest) for c in dense)
        stale.extend(i for i in ids_by_code.get(code, []) if i not in {c.id for c in dense})
        report.embedded_files += 1
    outside_ids = sorted(c.id for c in outside)
    if not outside_error and outside and (stored_digest.get(OUTSIDE_CODE) != outside_digest
                                          or sorted(ids_by_code.get(OUTSIDE_CODE, [])) != outside_ids
                                          or not stored_alike(outside)):
        flush()  # the examples are upserted on their own
        pending.extend((c, outside_digest) for c in outside)
        stale.extend(i for i in ids_by_code.get(OUTSIDE_CODE, []) if i not in {c.id for c in outside})
    flush()
    report.dense_chunks = sum(c.dense for c in all_chunks)
    report.keyword_chunks = len(all_chunks)

    changed = bool(todo or gone) or _state(index_dir) != digests or older_layout(index_dir)
    if changed:
        phrasings = store.every(QUESTION_KIND)  # read once for every model
        reading = lexicon or Lexicon()
        read = expanded_phrasings(loaded, reading)
        examples_stored = [t for t, m in zip(phrasings.texts, phrasings.metadatas, strict=True)
                           if m.get("code") == OUTSIDE_CODE]
        write_index(index_dir, loaded, all_chunks, digests, lexicon, tokenizer, scope_model(phrasings),
                    classifier(phrasings, read), scope_words(read, examples_stored, reading))
        report.rebuilt_index = True
    else:
        (index_dir / STATE_FILE).touch()
    report.seconds = time.perf_counter() - started
    return report


def scope_model(stored: Chunks) -> ScopeModel:
    """The scope model fitted on what the store holds now: the citizen phrasings against the out-of-scope
    examples (about 2 s for 6,500 vectors), from the store's phrasing chunks (`Store.every(QUESTION_KIND)`)."""
    outside = np.array([m.get("code") == OUTSIDE_CODE for m in stored.metadatas], dtype=bool)
    return ScopeModel.fit(stored.vectors, outside)


def classifier(stored: Chunks, examples: dict[str, list[str]]) -> Classifier:
    """The phrasing classifier fitted on what the store holds now: each procedure's citizen phrasings (about
    13 s for 7,300 vectors), from the store's phrasing chunks; with its word model (`bot.search.words`), fitted on
    the same procedures' phrasings and titles as the lexicon reads them (`examples`, by code)."""
    rows = [i for i, m in enumerate(stored.metadatas) if m.get("code") and m.get("code") != OUTSIDE_CODE]
    vectors = np.asarray(stored.vectors)[rows] if rows else np.zeros((0, 0), dtype=np.float32)
    learned = Classifier.fit(vectors, [str(stored.metadatas[i]["code"]) for i in rows])
    known = set(learned.codes)
    return replace(learned, words=WordModel.fit({c: t for c, t in examples.items() if c in known}, learned.codes))


def expanded_phrasings(loaded: list[Loaded], lexicon: Lexicon) -> dict[str, list[str]]:
    """Each procedure's citizen phrasings and title as the lexicon reads them (`Query.expanded`), by code, for the
    procedures that have phrasings: what the word models count."""
    return {x.item.code: [parse_query(t, lexicon).expanded for t in (*x.item.questions, x.item.title)]
            for x in loaded if isinstance(x.item, Procedure) and x.item.questions}


def scope_words(examples: dict[str, list[str]], outside: Iterable[str], lexicon: Lexicon) -> ScopeWords:
    """The scope model's word counts: every procedure's phrasings and title as the lexicon reads them
    (`examples`, from `expanded_phrasings`) against the out-of-scope examples (`outside`, as written), read the
    same way."""
    return ScopeWords.fit([t for texts in examples.values() for t in texts],
                          [parse_query(t, lexicon).expanded for t in outside])


def write_index(index_dir: Path, loaded: list[Loaded], chunks: list[Chunk], digests: dict[str, str],
                lexicon: Lexicon | None = None, tokenizer: str = DEFAULT_TOKENIZER,
                scope: ScopeModel | None = None, learned: Classifier | None = None,
                words: ScopeWords | None = None) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    if lexicon is not None:
        write_atomic(index_dir / LEXICON_FILE, lexicon.model_dump_json())
    if scope is not None:
        write_atomic(index_dir / SCOPE_FILE, scope.model_dump_json())
    if learned is not None:
        learned.save(index_dir / CLASSIFIER_FILE)
        learned.words.save(index_dir / WORDS_FILE)
    if words is not None:
        words.save(index_dir / SCOPE_WORDS_FILE)
    keyword = KeywordIndex.build(((c.id, c.text) for c in chunks), tokenizer)
    tmp_kw = index_dir / (KEYWORD_FILE + ".tmp")
    keyword.save(tmp_kw)
    tmp_kw.replace(index_dir / KEYWORD_FILE)
    catalog: dict[str, Any] = {
        "procedures": [i.item.model_dump(mode="json", by_alias=True) for i in loaded if isinstance(i.item, Procedure)],
        "guides": [i.item.model_dump(mode="json", by_alias=True) for i in loaded if isinstance(i.item, Guide)],
        "chunks": {c.id: [c.code, c.section] for c in chunks},
    }
    write_atomic(index_dir / CATALOG_FILE, json.dumps(catalog, ensure_ascii=False, separators=(",", ":")))
    # the state file goes last: its presence means the rest is complete
    write_atomic(index_dir / STATE_FILE, json.dumps({"digests": digests}, ensure_ascii=False))
