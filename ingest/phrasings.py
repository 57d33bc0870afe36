"""Teaching the bot a group of citizens' questions (issue 14): they join a procedure's `questions` list.

`link()` is the validated, atomic write and the re-ingest: each phrasing is checked by ingest's own rule (one
procedure's only, compared folded; no personal data), phrasings that still hold a redaction marker are left out
(a "[số điện thoại]" teaches nothing), the file is rendered, validated exactly as ingest will read it, written by
rename, and the incremental ingest embeds that one procedure again (the others are unchanged by their digests).

`patch()` writes the carried-out links as a unified diff against the knowledge files, for review in git: the same
diff whether it is made on the server (the phrasings are in the files) or on a clean checkout (they are not).
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import InputError, NotFoundError
from bot.knowledge.models import Procedure
from bot.redact import redact
from bot.search.embedders import Embedder
from bot.search.keywords import DEFAULT_TOKENIZER
from bot.search.retrieval import Retriever
from bot.search.topic import embed_asked
from bot.search.vectors import Store
from bot.text import fold
from ingest.admin import ingest_lock
from ingest.files import KnowledgeFileError, load_procedure, render_procedure, write_atomic
from ingest.outside import FILE as OUTSIDE_FILE
from ingest.outside import load_outside
from ingest.pipeline import IngestReport, ingest, phrasing_problem

log = logging.getLogger(__name__)
PHRASING_MAX_CHARS = 300
_MARKER = re.compile(r"\[(email|số điện thoại|số giấy tờ|mã số thuế|số tài khoản|họ tên)\]")


@dataclass
class LinkReport:
    code: str
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (phrasing, why, in Vietnamese)
    seconds: float = 0.0
    ingest: IngestReport | None = None


def _path(knowledge_dir: Path, code: str) -> Path:
    if not code or "/" in code or code.startswith(".") or len(code) > 40:
        raise NotFoundError(f"'{code[:40]}' is not a procedure code.", "Không tìm thấy thủ tục này.")
    path = knowledge_dir / "procedures" / f"{code}.md"
    if not path.is_file():
        raise NotFoundError(f"No knowledge file for procedure '{code}'.", "Không tìm thấy thủ tục này.")
    return path


def _load(path: Path) -> Procedure:
    try:
        item = load_procedure(path).item
    except KnowledgeFileError as exc:
        log.warning("knowledge file %s cannot be read: %s", path, exc.where)
        raise InputError(f"{path.name}: {exc.where}: {exc.message}",
                         "Tệp kiến thức của thủ tục này đang lỗi; hãy báo người quản lý kho kiến thức.") from exc
    assert isinstance(item, Procedure)
    return item


def choose(proc: Procedure, phrasings: Iterable[str], taken: Mapping[str, str]) -> LinkReport:
    """Which phrasings may join `proc.questions`, and why the others may not. `taken`: folded phrasing -> the
    procedure that has it (the whole knowledge base, as ingest last read it)."""
    report = LinkReport(proc.code)
    mine = {fold(q) for q in proc.questions}
    for raw in phrasings:
        text = " ".join(raw.split())
        key = fold(text)
        if not key:
            continue
        if _MARKER.search(text) or redact(text) != text:
            report.skipped.append((text, "chứa dữ liệu cá nhân đã che"))
        elif len(text) > PHRASING_MAX_CHARS:
            report.skipped.append((text, f"dài quá {PHRASING_MAX_CHARS} ký tự"))
        elif key in mine:
            report.skipped.append((text, "thủ tục đã có câu hỏi này"))
        elif taken.get(key, proc.code) != proc.code:
            report.skipped.append((text, f"đã là câu hỏi của thủ tục {taken[key]}"))
        else:
            mine.add(key)
            report.added.append(text)
    return report


def link(knowledge_dir: Path, index_dir: Path, var_dir: Path, store: Store, embedder: Embedder, code: str,
         phrasings: Sequence[str], taken: Mapping[str, str], tokenizer: str = DEFAULT_TOKENIZER,
         batch: int = 64) -> LinkReport:
    """Add `phrasings` to procedure `code`'s questions, then re-ingest (one ingest at a time per machine).
    InputError (in Vietnamese) when none may be added; nothing is written then."""
    started = time.perf_counter()
    path = _path(knowledge_dir, code)
    with ingest_lock(var_dir):
        proc = _load(path)
        report = choose(proc, phrasings, taken)
        if not report.added:
            why = "; ".join(f"“{p}”: {reason}" for p, reason in report.skipped[:3]) or "không có câu hỏi nào"
            raise InputError(f"None of the phrasings can be added to {code}.",
                             f"Không thêm được câu hỏi nào vào thủ tục {code} ({why}).")
        new = proc.model_copy(update={"questions": [*proc.questions, *report.added]})
        others = {k: c for k, c in taken.items() if c != code}
        problem = phrasing_problem(new, others)
        if problem:  # choose() already keeps to the rule; this is ingest's own check, word for word
            raise InputError(f"{code}: questions: {problem}", "Câu hỏi không hợp lệ cho kho kiến thức.")
        text = render_procedure(new)
        try:
            checked = load_procedure(path, text.encode("utf-8")).item
        except KnowledgeFileError as exc:
            raise InputError(f"{code}: {exc.where}: {exc.message}", "Câu hỏi không hợp lệ cho kho kiến thức.") from exc
        if list(getattr(checked, "questions", [])) != new.questions:
            raise InputError(f"{code}: the questions did not survive a round trip.",
                             "Câu hỏi không hợp lệ cho kho kiến thức.")
        write_atomic(path, text)
        report.ingest = ingest(knowledge_dir, index_dir, store, embedder, batch=batch, tokenizer=tokenizer)
    report.seconds = time.perf_counter() - started
    log.info("linked %d phrasings to %s (%d left out), re-ingested in %.2f s", len(report.added), code,
             len(report.skipped), report.seconds)
    return report


@dataclass(frozen=True)
class Change:
    """Phrasings that were added to one procedure (one carried-out proposal)."""

    code: str
    phrasings: list[str]


def patch(knowledge_dir: Path, changes: Sequence[Change], prefix: str = "") -> str:
    """A unified diff (`patch -p1` from the folder above the knowledge folder) that adds the phrasings of
    `changes` to their procedures' files: "before" is the file without them, "after" the file with them, added in
    the order of `changes`. A procedure whose file is gone is left out."""
    prefix = prefix or knowledge_dir.name
    by_code: dict[str, list[str]] = {}
    for change in changes:
        by_code.setdefault(change.code, []).extend(change.phrasings)
    out: list[str] = []
    for code in sorted(by_code):
        path = knowledge_dir / "procedures" / f"{code}.md"
        if not path.is_file():
            log.warning("export: procedure %s has no knowledge file any more; left out", code)
            continue
        proc = _load(path)
        wanted = list(dict.fromkeys(by_code[code]))
        added = {fold(p) for p in wanted}
        base = [q for q in proc.questions if fold(q) not in added]
        before = render_procedure(proc.model_copy(update={"questions": base}))
        after = render_procedure(proc.model_copy(update={"questions": [*base, *wanted]}))
        name = f"{prefix}/procedures/{code}.md"
        out.extend(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))
    return "".join(out)


@dataclass
class OutsideReport:
    """Out-of-scope examples proposed for knowledge/out_of_scope.yaml, and what the old held-out set said."""

    added: list[str] = field(default_factory=list)
    refused_before: tuple[int, int] = (0, 0)  # (out-of-scope questions refused, in-scope questions refused)
    refused_after: tuple[int, int] = (0, 0)
    ingest: IngestReport | None = None

    @property
    def kept(self) -> bool:
        return bool(self.added)


def add_examples(knowledge_dir: Path, index_dir: Path, var_dir: Path, store: Store, embedder: Embedder,
                 retriever: Retriever, phrasings: Sequence[str], checks: Sequence[tuple[str, bool]],
                 taken: Mapping[str, str], tokenizer: str = DEFAULT_TOKENIZER, batch: int = 64) -> OutsideReport:
    """Add phrasings a clerk marked out of scope to the examples, only if that does not make detection worse on
    `checks` (question, in scope?) — the old held-out set: no in-scope question newly refused, and no fewer
    out-of-scope ones caught. Then written by rename and re-ingested; otherwise nothing is written."""
    report = OutsideReport()
    path = knowledge_dir / OUTSIDE_FILE
    with ingest_lock(var_dir):
        current, problem = load_outside(knowledge_dir, taken)
        if problem:
            raise InputError(problem, "Tệp câu hỏi ngoài phạm vi đang có lỗi; hãy báo người quản lý kho kiến thức.")
        have = {fold(e) for e in current}
        new = [p for p in dict.fromkeys(" ".join(p.split()) for p in phrasings)
               if p and "[" not in p and redact(p) == p and fold(p) not in have and fold(p) not in taken]
        if not new:
            return report
        vectors = embed_asked(embedder, new)
        before = [(retriever.refused_with(q, vectors[:0]), scoped) for q, scoped in checks]
        after = [(retriever.refused_with(q, vectors), scoped) for q, scoped in checks]

        def counts(rows: list[tuple[bool, bool]]) -> tuple[int, int]:
            return sum(r and not s for r, s in rows), sum(r and s for r, s in rows)

        report.refused_before, report.refused_after = counts(before), counts(after)
        if report.refused_after[1] > report.refused_before[1] or report.refused_after[0] < report.refused_before[0]:
            return report  # worse on the held-out set: only recorded
        write_atomic(path, render_outside(path, [*current, *new]))
        report.added = new
        report.ingest = ingest(knowledge_dir, index_dir, store, embedder, batch=batch, tokenizer=tokenizer)
    return report


def render_outside(path: Path, examples: Sequence[str]) -> str:
    """knowledge/out_of_scope.yaml with these examples, its leading comment kept."""
    body = yaml.safe_dump({"source": "authored", "examples": list(examples)}, allow_unicode=True, sort_keys=False,
                          width=1000)
    return "".join(line + "\n" for line in _header(path)) + body


def outside_patch(knowledge_dir: Path, added: Sequence[str], prefix: str = "") -> str:
    """A unified diff of knowledge/out_of_scope.yaml: "before" without the examples `added`, "after" as it is."""
    path = knowledge_dir / OUTSIDE_FILE
    if not added or not path.is_file():
        return ""
    current, _ = load_outside(knowledge_dir, {})
    gone = {fold(a) for a in added}
    before = render_outside(path, [e for e in current if fold(e) not in gone])
    name = f"{prefix or knowledge_dir.name}/{OUTSIDE_FILE}"
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), render_outside(path, current)
                                        .splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"))


def _header(path: Path) -> list[str]:
    """The file's leading comment lines, kept when it is rewritten."""
    if not path.exists():
        return ["# Out-of-scope example questions (authored): the bot refuses a question nearer to these than to "
                "any procedure's phrasings."]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines[:next((i for i, x in enumerate(lines) if not x.startswith("#")), 0)]]
