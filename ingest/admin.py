"""Admin writes to the knowledge base: validated like ingest, written atomically, audited, re-ingested.

One ingest at a time per machine (an exclusive lock file under var/), so that several API workers
never ingest over each other.
"""

from __future__ import annotations

import fcntl
import json
import logging
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import InputError, NotFoundError
from bot.knowledge.communes import OFFICES_VERSION_FILE, Office, OfficeFileError, Registry, load_office
from bot.search.embedders import Embedder
from bot.search.vectors import Store
from ingest.files import KnowledgeFileError, load_procedure, write_atomic
from ingest.pipeline import IngestReport, ingest

log = logging.getLogger("tthc.audit")
MAX_FILE_BYTES = 2 * 1024 * 1024


@contextmanager
def ingest_lock(var_dir: Path) -> Iterator[None]:
    var_dir.mkdir(parents=True, exist_ok=True)
    with (var_dir / "ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def audit(var_dir: Path, who: str, action: str, target: str, outcome: str) -> None:
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "who": who, "action": action,
             "target": target, "outcome": outcome}
    log.info("admin %s %s by %s: %s", action, target, who, outcome)
    var_dir.mkdir(parents=True, exist_ok=True)
    with (var_dir / "audit.log").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()


def save_office(knowledge_dir: Path, index_dir: Path, office: Office) -> bool:
    """Write a validated office's file by rename (readers see the old file or the new one, never half), then
    give the offices a new version, which every worker checks with the index version and reloads its office
    details on (no re-ingest: office details are not embedded). False when nothing changed."""
    changed = write_atomic(knowledge_dir / "offices" / f"{office.ward_code}.yaml", office.to_yaml())
    if changed:
        index_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(index_dir / OFFICES_VERSION_FILE, f"{datetime.now(UTC).isoformat()} {secrets.token_hex(8)}")
    return changed


def _checked_text(content: str) -> bytes:
    data = content.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"The file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}.")
    if "\x00" in content:
        raise InputError("The file contains binary data.")
    return data


class KnowledgeAdmin:
    def __init__(self, knowledge_dir: Path, var_dir: Path, store: Store, embedder: Embedder) -> None:
        self.knowledge_dir = knowledge_dir
        self.var_dir = var_dir
        self.store = store
        self.embedder = embedder

    def _code_path(self, code: str) -> Path:
        if not code or "/" in code or code.startswith(".") or len(code) > 40:
            raise InputError(f"'{code}' is not a procedure code.")
        return self.knowledge_dir / "procedures" / f"{code}.md"

    def put_procedure(self, code: str, content: str) -> None:
        path = self._code_path(code)
        data = _checked_text(content)
        try:
            load_procedure(path, data)  # validated exactly as ingest would, before anything is written
        except KnowledgeFileError as exc:
            raise InputError(f"{exc.where}: {exc.message}") from exc
        write_atomic(path, content)

    def delete_procedure(self, code: str) -> None:
        path = self._code_path(code)
        if not path.exists():
            raise NotFoundError(f"No knowledge file for procedure '{code}'.")
        path.unlink()

    def put_office(self, ward_code: str, content: str) -> None:
        if not ward_code.isdigit() or len(ward_code) != 5:
            raise InputError(f"'{ward_code}' is not a 5-digit ward code.")
        data = _checked_text(content)
        registry = Registry.load(self.knowledge_dir)
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / f"{ward_code}.yaml"
            probe.write_bytes(data)
            try:
                load_office(probe, registry)
            except OfficeFileError as exc:
                raise InputError(str(exc).split(": ", 1)[-1]) from exc
        write_atomic(self.knowledge_dir / "offices" / f"{ward_code}.yaml", content)

    def delete_office(self, ward_code: str) -> None:
        path = self.knowledge_dir / "offices" / f"{ward_code}.yaml"
        if not ward_code.isdigit() or not path.exists():
            raise NotFoundError(f"No office file for '{ward_code}'.")
        path.unlink()

    def reingest(self) -> IngestReport:
        with ingest_lock(self.var_dir):
            return ingest(self.knowledge_dir, self.var_dir / "index", self.store, self.embedder)
