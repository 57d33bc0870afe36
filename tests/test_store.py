"""The Store contract, on the real embedded Chroma (a Chroma server runs the same suite later)."""

import numpy as np
import pytest

from bot.settings import Settings
from bot.store import build_store


@pytest.fixture()
def store(tmp_path, embedder):
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
