"""`tthc knowledge summarize`: write the derived citizen summaries into the knowledge files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.models import Procedure
from bot.knowledge.summary import derive, summary_problems
from ingest.files import load_procedure, render_procedure, write_atomic

# the provincial procedures a commune center receives and citizens ask about most (land, building, ID cards)
PROVINCE_FIELDS = frozenset({"Đất đai", "Tài chính đất đai", "Hoạt động xây dựng", "Cấp, quản lý căn cước"})


@dataclass
class SummaryReport:
    written: int = 0
    unchanged: int = 0
    kept_reviewed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def write_summaries(knowledge_dir: Path, refresh: bool = False, codes: set[str] | None = None) -> SummaryReport:
    """Derive the summary of every procedure that wants one and has none (`refresh`: also re-derive those not
    yet read by hand). A summary read by hand (`reviewed: true`) is never overwritten."""
    report = SummaryReport()
    for path in sorted((knowledge_dir / "procedures").glob("*.md")):
        if codes is not None and path.stem not in codes:
            continue
        proc = load_procedure(path).item
        assert isinstance(proc, Procedure)
        wanted = codes is not None or proc.is_commune or proc.source == "authored" or proc.field in PROVINCE_FIELDS
        if not wanted:
            report.skipped += 1
            continue
        if proc.summary is not None and (proc.summary.reviewed or not refresh):
            report.kept_reviewed += proc.summary.reviewed
            report.unchanged += not proc.summary.reviewed
            continue
        proc.summary = derive(proc)
        bad = summary_problems(proc)
        if bad:  # a rule that quotes something the text does not say is a bug: leave the file as it was
            report.problems += [f"{path}: {where}: {value}" for where, value in bad]
            continue
        if write_atomic(path, render_procedure(proc)):
            report.written += 1
        else:
            report.unchanged += 1
    return report
