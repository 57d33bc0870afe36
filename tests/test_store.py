"""The Store contract, on the real embedded Chroma and on a real Chroma server (`chroma run`, HttpClient)."""

import numpy as np
import pytest

from bot.search.vectors import build_store
from bot.settings import Settings


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path, embedder):
    if request.param == "server":
        url = request.getfixturevalue("chroma_url")
        return build_store(Settings(var_dir=tmp_path, chroma_url=url, collection=f"t{tmp_path.name[-12:]}"), embedder)
    return build_store(Settings(var_dir=tmp_path), embedder)


def test_upsert_query_delete(store, embedder):
    texts = ["Thủ tục đăng ký khai sinh", "Thủ tục đăng ký kết hôn", "Đăng ký tạm trú"]
    ids = ["a#tong-quan", "b#tong-quan", "c#tong-quan"]
    metas = [{"code": i.split("#")[0], "section": "tong-quan", "digest": "x"} for i in ids]
    store.upsert(ids, embedder.embed_passages(texts), texts, metas)
    assert store.count() == 3
    hits = store.query(embedder.embed_queries(["đăng ký kết hôn cần gì"])[0], k=2)
    assert hits[0].id == "b#tong-quan" and hits[0].metadata["code"] == "b"
    assert hits[0].score > hits[1].score
    # upsert replaces
    store.upsert(["b#tong-quan"], embedder.embed_passages(["Đăng ký nghĩa vụ quân sự"]), ["Đăng ký nghĩa vụ quân sự"],
                 [{"code": "b", "section": "tong-quan", "digest": "y"}])
    assert store.count() == 3 and store.all_metadata()["b#tong-quan"]["digest"] == "y"
    store.delete(["a#tong-quan", "c#tong-quan"])
    assert list(store.all_metadata()) == ["b#tong-quan"]


def test_empty_store_queries_return_nothing(store, embedder):
    assert store.query(np.asarray(embedder.embed_queries(["x"])[0]), k=5) == []


def test_reopen_in_a_new_client_keeps_data(tmp_path, embedder):
    settings = Settings(var_dir=tmp_path)
    first = build_store(settings, embedder)
    first.upsert(["a#t"], embedder.embed_passages(["Đăng ký khai tử"]), ["Đăng ký khai tử"], [{"code": "a"}])
    again = build_store(settings, embedder)
    assert again.count() == 1


def test_ingest_and_search_against_a_chroma_server(chroma_url, kb_dir, tmp_path, embedder):
    import shutil

    from bot.assistant import Assistant
    from ingest.pipeline import ingest

    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    for code in ("1.001193", "1.000894", "1.000656", "1.004194", "1.004222"):
        shutil.copy(kb_dir / "procedures" / f"{code}.md", kb / "procedures")
    shutil.copytree(kb_dir / "guides", kb / "guides")
    settings = Settings(knowledge_dir=kb, var_dir=tmp_path / "var", chroma_url=chroma_url, collection="ingest-test")
    store = build_store(settings, embedder)
    report = ingest(kb, settings.index_dir, store, embedder)
    assert report.errors == [] and report.embedded_files == 5 + len(list((kb / "guides").glob("*.md")))
    assert ingest(kb, settings.index_dir, store, embedder).embedded_files == 0
    assistant = Assistant.build(settings, embedder=embedder)  # a new client, through the server
    assert assistant.store.count() == store.count()
    assert assistant.search("đăng ký tạm trú cần gì").results[0].code == "1.004194"
