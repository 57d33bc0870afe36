"""`tthc import-portal`: turn the national portal crawl into knowledge/procedures/*.md."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.knowledge.models import Procedure, Summary
from ingest.files import KnowledgeFileError, load_procedure, render_procedure, write_atomic
from ingest.portal import read_records, record_to_procedure

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    records: int = 0
    written: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    commune: int = 0
    with_channels: int = 0
    with_fees: int = 0
    with_documents: int = 0
    with_legal_basis: int = 0
    with_legal_numbers: int = 0
    with_result: int = 0

    def coverage(self) -> dict[str, float]:
        n = max(self.records - len(self.failed), 1)
        return {
            "channels": self.with_channels / n,
            "fees": self.with_fees / n,
            "documents": self.with_documents / n,
            "legal_basis": self.with_legal_basis / n,
            "legal_numbers": self.with_legal_numbers / n,
            "result": self.with_result / n,
        }


def import_portal(source: Path, out_dir: Path) -> ImportReport:
    report = ImportReport()
    for rec in read_records(source):
        report.records += 1
        code = str(rec.get("ma_thu_tuc", "?"))
        try:
            proc = record_to_procedure(rec)
        except (ValidationError, KeyError) as exc:
            log.warning("record %s skipped: %s", code, type(exc).__name__)
            report.failed.append(code)
            continue
        report.commune += proc.is_commune
        report.with_channels += bool(proc.channels)
        report.with_fees += any(c.fee for c in proc.channels)
        report.with_documents += bool(proc.documents)
        report.with_legal_basis += bool(proc.legal_basis)
        report.with_legal_numbers += any(ref.number for ref in proc.legal_basis)
        report.with_result += bool(proc.result)
        target = out_dir / f"{proc.code}.md"
        proc.keywords, proc.questions, proc.summary = _curated(target)
        if write_atomic(target, render_procedure(proc)):
            report.written += 1
        else:
            report.unchanged += 1
    return report


def _curated(path: Path) -> tuple[list[str], list[str], Summary | None]:
    """Keywords, citizen phrasings and the summary are written by people, not the portal; a re-import keeps
    them (`tthc knowledge summarize` re-derives summaries not yet read by hand)."""
    if not path.exists():
        return [], [], None
    try:
        item = load_procedure(path).item
    except KnowledgeFileError:
        return [], [], None
    if not isinstance(item, Procedure):
        return [], [], None
    return list(item.keywords), list(item.questions), item.summary
