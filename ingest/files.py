"""Read, write and validate knowledge files (Markdown with YAML front matter)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.knowledge.models import SECTION_BY_TITLE, SECTIONS, Guide, Procedure

GENERATED = "<!-- Phần này sinh tự động từ phần đầu tệp (front matter); hãy sửa ở đó. -->"
_GENERATED_SECTIONS = ("cach-thuc", "ho-so", "ket-qua", "can-cu")
_HEADING_RE = re.compile(r"^## +(.+?)\s*$", re.M)

try:  # the C loader is ~10x faster on 2,600 files
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper


class KnowledgeFileError(ValueError):
    """A knowledge file that cannot be used; `where` names the field."""

    def __init__(self, path: Path, where: str, message: str) -> None:
        super().__init__(f"{path}: {where}: {message}")
        self.path = path
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Loaded:
    path: Path
    digest: str
    item: Procedure | Guide


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise KnowledgeFileError(path, "front matter", "the file must start with '---' and a YAML block")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise KnowledgeFileError(path, "front matter", "no closing '---' line after the YAML block")
    try:
        meta = yaml.load(text[4:end], Loader=_Loader)  # noqa: S506 - CSafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"front matter line {mark.line + 2}" if mark else "front matter"
        raise KnowledgeFileError(path, where, "invalid YAML") from exc
    if not isinstance(meta, dict):
        raise KnowledgeFileError(path, "front matter", "must be a mapping of fields")
    return meta, text[end + 5 :]


def parse_sections(body: str) -> dict[str, str]:
    """Split a Markdown body into known '## ' sections; generated sections are skipped."""
    sections: dict[str, str] = {}
    heads = list(_HEADING_RE.finditer(body))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        key = SECTION_BY_TITLE.get(head.group(1).strip())
        content = body[head.end() : end].strip()
        if key is None or content.startswith(GENERATED):
            continue
        if content:
            sections[key] = content
    return sections


def _validation_error(path: Path, exc: ValidationError) -> KnowledgeFileError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "file"
    return KnowledgeFileError(path, where, first["msg"])


def _read(path: Path, data: bytes | None) -> tuple[bytes, dict[str, Any], str]:
    """Raw bytes, front matter and body of a knowledge file (data, when given, stands in for the file)."""
    raw = path.read_bytes() if data is None else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeFileError(path, "file", "not UTF-8 text") from exc
    meta, body = split_front_matter(path, text)
    return raw, meta, body


def load_procedure(path: Path, data: bytes | None = None) -> Loaded:
    raw, meta, body = _read(path, data)
    meta = {k: ("" if v is None else v) for k, v in meta.items()}
    meta["code"] = str(meta.get("code", ""))
    meta["sections"] = parse_sections(body)
    expected = path.stem
    if meta["code"] != expected:
        raise KnowledgeFileError(path, "code", f"'{meta['code']}' does not match the file name '{expected}'")
    try:
        item = Procedure.model_validate(meta)
    except ValidationError as exc:
        raise _validation_error(path, exc) from exc
    return Loaded(path=path, digest=digest(raw), item=item)


def load_guide(path: Path, data: bytes | None = None) -> Loaded:
    raw, meta, body = _read(path, data)
    meta["body"] = body.strip()
    try:
        item = Guide.model_validate(meta)
    except ValidationError as exc:
        raise _validation_error(path, exc) from exc
    if item.code != f"guide-{path.stem}":
        raise KnowledgeFileError(path, "code", f"must be 'guide-{path.stem}' to match the file name")
    return Loaded(path=path, digest=digest(raw), item=item)


def render_procedure(proc: Procedure) -> str:
    """The Markdown form of a procedure: YAML front matter, then readable sections."""
    meta = proc.model_dump(exclude={"sections"}, exclude_defaults=False, by_alias=True, mode="json")
    for key in ("keywords", "questions", "summary"):
        if not meta[key]:
            meta.pop(key)
    if proc.summary is not None:
        meta["summary"] = proc.summary.model_dump(by_alias=True, mode="json", exclude_defaults=True)
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)
    out = ["---", front.rstrip(), "---", "", f"# {proc.title}", ""]
    for key, title in SECTIONS.items():
        text = _render_section(proc, key)
        if text:
            out += [f"## {title}", "", text.strip(), ""]
    return "\n".join(out)


def _render_section(proc: Procedure, key: str) -> str:
    if key not in _GENERATED_SECTIONS:
        return proc.sections.get(key, "")
    lines: list[str] = []
    if key == "cach-thuc":
        for c in proc.channels:
            parts = [p for p in (c.time and f"thời hạn {c.time}", c.fee and f"phí, lệ phí: {c.fee}") if p]
            lines.append(f"- {c.channel}: " + "; ".join(parts) + (f". {c.note}" if c.note else ""))
    elif key == "ho-so":
        group = None
        for d in proc.documents:
            if d.group != group:
                group = d.group
                if group:
                    lines.append(f"\n**{group}**\n")
            qty = f" ({d.quantity})" if d.quantity else ""
            form = f" — mẫu: {d.form}" if d.form else ""
            lines.append(f"- {d.name}{qty}{form}")
    elif key == "ket-qua" and proc.result:
        lines.append(proc.result)
    elif key == "can-cu":
        for ref in proc.legal_basis:
            art = f"{ref.article}, " if ref.article else ""
            num = f" ({ref.number})" if ref.number and ref.number not in ref.title else ""
            lines.append(f"- {art}{ref.title}{num}")
    if not lines:
        return ""
    return GENERATED + "\n\n" + "\n".join(lines).strip()


def write_atomic(path: Path, text: str) -> bool:
    """Write text to path through a temp file and rename; return False if unchanged."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
