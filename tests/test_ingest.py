"""Ingest for real: validation, incremental re-ingest by content hash, removal, bad files."""

import shutil

import pytest

from bot.search.catalog import Catalog
from bot.search.query import parse_query
from bot.search.vectors import build_store
from bot.settings import Settings
from ingest.files import load_procedure
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
    shutil.copy(kb_dir / "refusals.yaml", kb / "refusals.yaml")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var")
    store = build_store(settings, embedder)
    assert ingest(kb, settings.index_dir, store, embedder).errors == []
    lexicon = Catalog.load(settings.index_dir).lexicon
    assert any(t.say == "ho khau" for t in lexicon.terms) and lexicon.shorthand["j"] == "gi"

    (kb / "lexicon.yaml").write_text("terms:\n  - {say: hộ khẩu}\n", encoding="utf-8")  # no `means`
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("lexicon.yaml: terms.0.means" in e for e in report.errors)
    assert Catalog.load(settings.index_dir).lexicon == lexicon  # the index keeps the lexicon it had


def test_the_refusal_rules_are_data_compiled_with_the_lexicon_and_a_bad_pattern_is_reported(tmp_path, kb_dir,
                                                                                          embedder):
    """knowledge/refusals.yaml: the index carries its rules (a forgery question is refused, with its reason); a
    pattern that is not a regular expression is reported by path and place, and the index keeps the rules it had;
    a new rule counts after the next ingest."""
    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    shutil.copy(kb_dir / "procedures" / "1.004222.md", kb / "procedures")
    shutil.copy(kb_dir / "lexicon.yaml", kb / "lexicon.yaml")
    rules = (kb_dir / "refusals.yaml").read_text(encoding="utf-8")
    (kb / "refusals.yaml").write_text(rules, encoding="utf-8")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var")
    store = build_store(settings, embedder)
    assert ingest(kb, settings.index_dir, store, embedder).errors == []
    lexicon = Catalog.load(settings.index_dir).lexicon
    assert parse_query("làm giả giấy khai sinh thế nào", lexicon).blocked == "forgery"
    assert parse_query("nuôi chim cảnh có cần đăng ký không", lexicon).blocked == ""

    broken = rules.replace("      - '\\bignore\\b", "      - '(unclosed\\bignore\\b", 1)
    assert broken != rules
    (kb / "refusals.yaml").write_text(broken, encoding="utf-8")
    report = ingest(kb, settings.index_dir, store, embedder)
    assert any("refusals.yaml: blocks.0.patterns" in e and "not a valid regular expression" in e
               for e in report.errors), report.errors
    assert Catalog.load(settings.index_dir).lexicon == lexicon  # the index keeps the rules it had

    (kb / "refusals.yaml").write_text(rules.replace("blocks:\n", "blocks:\n  - reason: out_of_scope\n"
                                                    "    patterns: ['\\bchim canh\\b']\n", 1), encoding="utf-8")
    assert ingest(kb, settings.index_dir, store, embedder).errors == []
    assert parse_query("nuôi chim cảnh có cần đăng ký không",
                       Catalog.load(settings.index_dir).lexicon).blocked == "out_of_scope"


def test_phrasings_are_stored_apart_and_a_store_from_before_kinds_is_migrated(small, embedder):
    """Citizen phrasings go to the store's `question` kind, passages to `passage`; chunks stored before kinds
    existed (no `kind` in their metadata, all in one collection) are re-embedded once, into their kind."""
    settings, store = small
    run(settings, store, embedder)
    catalog = Catalog.load(settings.index_dir)
    phrasings = sum(len(catalog.procedures[c].questions) for c in CODES)
    vector = embedder.embed_queries(["làm giấy khai sinh cho con"])[0]
    questions = store.query(vector, k=100, kind="question")
    assert len(questions) == phrasings and {h.metadata["section"][:7] for h in questions} == {"cau-hoi"}
    passages = store.query(vector, k=100, kind="passage")
    assert [h.metadata["section"] for h in passages] == ["tong-quan"] * 3 and passages[0].metadata["code"] == "1.001193"

    # the layout before kinds: every chunk in the passage collection, none with a kind
    meta = store.all_metadata()
    old = {i: {k: v for k, v in m.items() if k != "kind"} for i, m in meta.items()}
    vectors = embedder.embed_passages([i for i in old])
    store.upsert(list(old), vectors, list(old), list(old.values()))
    assert store.query(vector, k=100, kind="question") == []
    migrated = run(settings, store, embedder)
    assert migrated.embedded_files == 3 and store.count() == 3 + phrasings
    assert len(store.query(vector, k=100, kind="question")) == phrasings
    assert run(settings, store, embedder).embedded_files == 0


def test_changing_the_keyword_tokenizer_rebuilds_the_keyword_index(small, embedder):
    from ingest.pipeline import needs_ingest

    settings, store = small
    run(settings, store, embedder)
    assert Catalog.load(settings.index_dir).keyword.tokenizer == "ngrams"
    assert not needs_ingest(settings.knowledge_dir, settings.index_dir, "ngrams")
    assert needs_ingest(settings.knowledge_dir, settings.index_dir, "pyvi")
    report = ingest(settings.knowledge_dir, settings.index_dir, store, embedder, tokenizer="pyvi")
    assert (report.embedded_files, report.rebuilt_index) == (0, True)  # nothing re-embedded
    keyword = Catalog.load(settings.index_dir).keyword
    assert keyword.tokenizer == "pyvi" and "khai_sinh" in keyword.terms and "dang_ky" in keyword.terms
    assert keyword.search(keyword.query_terms("đăng ký khai sinh"), k=1)[0][0].startswith("1.001193#")
    assert not needs_ingest(settings.knowledge_dir, settings.index_dir, "pyvi")
    # an index of the layout before keyword.npz does not load: it asks for `tthc ingest`
    from bot.errors import IndexNotReadyError

    (settings.index_dir / "keyword.npz").unlink()
    with pytest.raises(IndexNotReadyError, match="older layout"):
        Catalog.load(settings.index_dir)
    assert needs_ingest(settings.knowledge_dir, settings.index_dir, "pyvi")


def test_an_index_without_the_scope_model_asks_for_ingest_which_fits_it_again(small, embedder):
    from bot.errors import IndexNotReadyError
    from ingest.pipeline import needs_ingest

    settings, store = small
    examples = ["giá vàng hôm nay bao nhiêu", "viết giúp tôi một bài thơ", "how to apply for a Korean work visa"]
    (settings.knowledge_dir / "out_of_scope.yaml").write_text(
        "examples:\n" + "".join(f"  - {e}\n" for e in examples), encoding="utf-8")
    run(settings, store, embedder)
    catalog = Catalog.load(settings.index_dir)
    fitted, phrasings = catalog.scope, sum(len(p.questions) for p in catalog.procedures.values())
    assert (fitted.outside, fitted.inside, len(fitted.weights)) == (3, phrasings, 384)
    (settings.index_dir / "scope.json").unlink()  # an index from before the scope model
    assert needs_ingest(settings.knowledge_dir, settings.index_dir)
    with pytest.raises(IndexNotReadyError, match="older layout"):
        Catalog.load(settings.index_dir)
    report = run(settings, store, embedder)
    assert report.embedded_files == 0 and report.rebuilt_index  # nothing embedded again, the model fitted again
    assert Catalog.load(settings.index_dir).scope == fitted


def test_an_index_without_the_word_model_asks_for_ingest_which_writes_it(small, embedder):
    from bot.errors import IndexNotReadyError
    from ingest.pipeline import needs_ingest

    settings, store = small
    run(settings, store, embedder)
    (settings.index_dir / "words.npz").unlink()  # an index from before the classifier's word model
    assert needs_ingest(settings.knowledge_dir, settings.index_dir)
    with pytest.raises(IndexNotReadyError, match="older layout"):
        Catalog.load(settings.index_dir)
    report = run(settings, store, embedder)
    assert report.embedded_files == 0 and report.rebuilt_index
    assert (settings.index_dir / "words.npz").exists()
    Catalog.load(settings.index_dir)


def test_a_store_of_phrasings_embedded_whole_is_embedded_again_on_topics(small, embedder):
    """An index from before topics: `make run` sees the old layout, and ingest re-embeds what was embedded the old
    way, here one phrasing stored with its whole text's vector and an empty `embedded` mark."""
    import json

    from bot.search.topic import embed_asked, topic_of
    from ingest.pipeline import needs_ingest

    settings, store = small
    run(settings, store, embedder)
    marriage = load_procedure(settings.knowledge_dir / "procedures" / "1.000894.md").item
    phrasing = next(q for q in marriage.questions if topic_of(q) != q)
    chunk_id = next(i for i, m in store.all_metadata().items()
                    if m["code"] == "1.000894" and m["section"] == "cau-hoi" and i.endswith(
                        f"-{marriage.questions.index(phrasing) + 1}"))
    old = {**store.all_metadata()[chunk_id], "embedded": ""}  # as read from a store without the mark
    store.upsert([chunk_id], embedder.embed_queries([phrasing]), [phrasing], [old])
    state = settings.index_dir / "state.json"
    data = json.loads(state.read_text(encoding="utf-8"))
    data["digests"]["~index"] = "v2:ngrams"
    state.write_text(json.dumps(data), encoding="utf-8")
    assert needs_ingest(settings.knowledge_dir, settings.index_dir, "ngrams")

    report = run(settings, store, embedder)
    assert (report.embedded_files, report.unchanged_files) == (1, 2)  # that procedure only
    assert store.all_metadata()[chunk_id]["embedded"] == "topic-1"
    hit = store.query(embed_asked(embedder, [phrasing])[0], 1, kind="question")[0]
    assert hit.id == chunk_id and hit.score > 0.999  # its vector is now the topic's
    assert not needs_ingest(settings.knowledge_dir, settings.index_dir, "ngrams")
