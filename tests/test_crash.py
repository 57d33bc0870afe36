"""SIGKILL in the middle of an ingest and of a knowledge-file write, for real, with subprocesses."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

from bot.search.catalog import Catalog
from bot.search.vectors import build_store
from bot.settings import ROOT, Settings
from ingest.chunks import procedure_chunks
from ingest.files import load_procedure
from ingest.pipeline import ingest, load_knowledge


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.md"))}


def test_kill_during_ingest_leaves_a_consistent_store(tmp_path, kb_dir, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    (kb / "guides").mkdir()
    codes = [*sorted(p.stem for p in (kb_dir / "procedures").glob("*.md"))[:70], "A.BYT.001", "A.BYT.003"]
    for code in codes:
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var", collection="crash")
    store = build_store(settings, embedder)
    ingest(kb, settings.index_dir, store, embedder)
    old = {m["code"]: m["digest"] for m in store.all_metadata().values()}

    for path in (kb / "procedures").glob("*.md"):  # change every file: a long re-embed to interrupt
        path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: (2026) "), encoding="utf-8")
    files_before = _digests(kb)
    env = {**os.environ, "TTHC_KNOWLEDGE_DIR": str(kb), "TTHC_VAR_DIR": str(settings.var_dir),
           "TTHC_COLLECTION": "crash", "TTHC_EMBED_BATCH": "4"}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "ingest"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    new = {x.item.code: x.digest for x in load_knowledge(kb)[0]}
    _wait_until_some_embedded(settings.var_dir / "chroma" / "chroma.sqlite3", set(new.values()), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert _digests(kb) == files_before  # ingest never touches knowledge files
    store = build_store(settings, embedder)  # "restart": a new client on the same files
    meta = store.all_metadata()
    by_code: dict[str, set[str]] = {}
    for _chunk_id, m in meta.items():
        by_code.setdefault(m["code"], set()).add(m["digest"])
    assert all(len(d) == 1 for d in by_code.values()), "a procedure has chunks of two versions"
    for code, (digest,) in by_code.items():
        assert digest in (old[code], new[code])
        expected = {c.id for c in procedure_chunks(load_procedure(kb / "procedures" / f"{code}.md").item) if c.dense}
        if digest == new[code]:
            assert {i for i, m in meta.items() if m["code"] == code} == expected, code
    moved = sum(by_code[c] == {new[c]} for c in by_code)
    assert 0 < moved < len(codes), moved  # the kill landed in the middle
    Catalog.load(settings.index_dir)  # the previous index is still whole and loads

    report = ingest(kb, settings.index_dir, store, embedder)  # re-ingest completes
    assert report.errors == [] and report.embedded_files == len(codes) - moved
    assert {m["digest"] for m in store.all_metadata().values()} == set(new.values())
    assert Catalog.load(settings.index_dir).procedures[codes[0]].title.startswith("(2026) ")


def _wait_until_some_embedded(db, digests, proc, at_least=8):
    """Poll Chroma's SQLite file (read-only) until a few chunks of the new versions are in."""
    import sqlite3

    marks = ",".join("?" * len(digests))
    for _ in range(600):
        assert proc.poll() is None, "ingest finished before it could be interrupted"
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
                n = conn.execute(f"select count(*) from embedding_metadata where key='digest' and string_value in ({marks})",
                                 list(digests)).fetchone()[0]
            if n >= at_least:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError("ingest did not start embedding")


WRITER = """
import sys
from pathlib import Path
from ingest.files import write_atomic
path = Path(sys.argv[1])
a, b = Path(sys.argv[2]).read_text(encoding="utf-8"), Path(sys.argv[3]).read_text(encoding="utf-8")
i = 0
while True:
    write_atomic(path, a if i % 2 else b)
    i += 1
"""


def test_kill_during_knowledge_file_writes_never_truncates(tmp_path, kb_dir):
    """The admin endpoints write through ingest.files.write_atomic: kill it at random moments."""
    procs = tmp_path / "kb" / "procedures"
    procs.mkdir(parents=True)
    original = (kb_dir / "procedures" / "1.001193.md").read_text(encoding="utf-8")
    edited = original.replace("title: Thủ tục đăng ký khai sinh", "title: Thủ tục đăng ký khai sinh (sửa)") * 1
    variant_a, variant_b = tmp_path / "a.md", tmp_path / "b.md"
    variant_a.write_text(original, encoding="utf-8")
    variant_b.write_text(edited, encoding="utf-8")
    target = procs / "1.001193.md"
    target.write_text(original, encoding="utf-8")
    for delay in (0.3, 0.55, 0.8, 1.1, 1.4):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(variant_a), str(variant_b)], cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert target.read_text(encoding="utf-8") in (original, edited)
        assert load_procedure(target).item.code == "1.001193"
    loaded, errors = load_knowledge(tmp_path / "kb")  # leftover temp files are never read as knowledge
    assert errors == [] and [x.item.code for x in loaded] == ["1.001193"]
