"""Ingest for real: validation, incremental re-ingest by content hash, removal, bad files."""

import shutil

import pytest

from bot.search.catalog import Catalog
from bot.search.vectors import build_store
from bot.settings import Settings
from ingest.pipeline import ingest

CODES = ["1.001193", "1.000894", "1.000656"]


@pytest.fixture()
def small(tmp_path, kb_dir, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    (kb / "guides").mkdir()
    for code in CODES:
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var")
    return settings, build_store(settings, embedder)


def run(settings, store, embedder):
    return ingest(settings.knowledge_dir, settings.index_dir, store, embedder)


def test_incremental_reingest(small, embedder):
    settings, store = small
    first = run(settings, store, embedder)
    assert (first.files, first.embedded_files, first.errors) == (3, 3, [])
    catalog = Catalog.load(settings.index_dir)
    assert store.count() == 3 + sum(len(catalog.procedures[c].questions) for c in CODES)  # overview + phrasings
    again = run(settings, store, embedder)
    assert (again.embedded_files, again.unchanged_files, again.rebuilt_index) == (0, 3, False)

    path = settings.knowledge_dir / "procedures" / "1.000894.md"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("title: Thủ tục đăng ký kết hôn", "title: Thủ tục đăng ký kết hôn (sửa)")
    path.write_text(edited, encoding="utf-8")
    (settings.knowledge_dir / "procedures" / "1.000656.md").unlink()
    changed = run(settings, store, embedder)
    assert (changed.embedded_files, changed.unchanged_files, changed.removed_files) == (1, 1, 1)
    meta = store.all_metadata()
    assert sorted({m["code"] for m in meta.values()}) == ["1.000894", "1.001193"]
    assert meta["1.000894#tong-quan"]["title"] == "Thủ tục đăng ký kết hôn (sửa)"
    catalog = Catalog.load(settings.index_dir)
    assert "1.000656" not in catalog.procedures
    assert catalog.procedures["1.000894"].title.endswith("(sửa)")


def test_malformed_file_is_reported_and_skipped(small, embedder):
    settings, store = small
    procs = settings.knowledge_dir / "procedures"
    (procs / "9.999999.md").write_text("---\ncode: '9.999999'\ntitle: x\n---\n", encoding="utf-8")
    (procs / "9.999998.md").write_bytes(b"\xff\xfe binary \x00")
    bad_fee = (procs / "1.000656.md").read_text(encoding="utf-8").replace("source: portal", "source: rumour")
    (procs / "1.000656.md").write_text(bad_fee, encoding="utf-8")
    report = run(settings, store, embedder)
    assert report.files == 2
    joined = "\n".join(report.errors)
    assert "9.999999.md: title" in joined
    assert "9.999998.md: file: not UTF-8 text" in joined
    assert "1.000656.md: source" in joined
    assert sorted({m["code"] for m in store.all_metadata().values()}) == ["1.000894", "1.001193"]


def test_citizen_phrasings_are_validated_and_embedded_as_their_own_chunks(tmp_path, kb_dir, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var")
    store = build_store(settings, embedder)
    report = ingest(kb, settings.index_dir, store, embedder)
    assert report.errors == []
    birth = Catalog.load(settings.index_dir).procedures["1.001193"]
    assert len(birth.questions) >= 8
    sections = {m["section"] for m in store.all_metadata().values() if m["code"] == "1.001193"}
    assert "cau-hoi" in sections  # one dense chunk per phrasing

    marriage = kb / "procedures" / "1.000894.md"
    text = marriage.read_text(encoding="utf-8")
    stolen = text.replace("questions:\n", f"questions:\n- '{birth.questions[0]}'\n", 1)
    marriage.write_text(stolen, encoding="utf-8")
    report = ingest(kb, settings.index_dir, store, embedder)
    # the file read second is refused, by path and field: here 1.001193 (files are read in code order)
    assert any("1.001193.md: questions:" in e and "is also a phrasing of 1.000894" in e for e in report.errors)

    marriage.write_text(text.replace("questions:\n", "questions:\n- 'số tôi 0912345678, đăng ký kết hôn ở đâu'\n", 1),
                        encoding="utf-8")
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("1.000894.md" in e and "personal data" in e for e in report.errors)


def test_the_lexicon_is_compiled_and_a_bad_one_is_reported_by_path_and_field(tmp_path, kb_dir, embedder):
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    shutil.copy(kb_dir / "procedures" / "1.004222.md", kb / "procedures")
    shutil.copy(kb_dir / "lexicon.yaml", kb / "lexicon.yaml")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var")
    store = build_store(settings, embedder)
    assert ingest(kb, settings.index_dir, store, embedder).errors == []
    lexicon = Catalog.load(settings.index_dir).lexicon
    assert any(t.say == "ho khau" for t in lexicon.terms) and lexicon.shorthand["j"] == "gi"

    (kb / "lexicon.yaml").write_text("terms:\n  - {say: hộ khẩu}\n", encoding="utf-8")  # no `means`
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("lexicon.yaml: terms.0.means" in e for e in report.errors)
    assert Catalog.load(settings.index_dir).lexicon == lexicon  # the index keeps the lexicon it had
