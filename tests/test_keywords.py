"""The BM25 keyword index: its terms per tokenizer, its scores against the formula, save and load."""

import math

import pytest

from bot.search.keywords import K1, B, KeywordIndex, terms

DOCS = [
    ("birth#tieu-de", "Thủ tục đăng ký khai sinh. Thủ tục đăng ký khai sinh"),
    ("marriage#tieu-de", "Thủ tục đăng ký kết hôn"),
    ("residence#tieu-de", "Thủ tục đăng ký tạm trú cho người thuê nhà"),
    ("land#tieu-de", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"),
]


def test_ngram_terms_are_folded_syllables_and_bigrams():
    assert terms("Đăng ký khai sinh") == ["dang", "ky", "khai", "sinh", "dang_ky", "ky_khai", "khai_sinh"]


@pytest.mark.parametrize("tokenizer", ["pyvi", "underthesea"])
def test_segmenters_add_whole_words_not_every_bigram(tokenizer):
    cut = terms("Thủ tục đăng ký khai sinh cho con", tokenizer)
    assert cut[:7] == ["thu", "tuc", "dang", "ky", "khai", "sinh", "cho"]
    assert {"thu_tuc", "dang_ky", "khai_sinh"} <= set(cut)
    assert "ky_khai" not in cut and "sinh_cho" not in cut  # a bigram across two words is not a term


def _bm25(index: KeywordIndex, query: list[str], doc: int) -> float:
    """The textbook BM25 of one document, for checking the vectorised scores."""
    doc_terms = terms(DOCS[doc][1], index.tokenizer)
    n, total = len(DOCS), 0.0
    for term in set(query):
        tf = doc_terms.count(term)
        df = sum(term in terms(text, index.tokenizer) for _, text in DOCS)
        if not tf:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * len(doc_terms) / index.avg_len)
        total += query.count(term) * idf * tf * (K1 + 1) / (tf + norm)
    return total


@pytest.mark.parametrize("tokenizer", ["ngrams", "pyvi"])
def test_scores_are_bm25_and_survive_save_and_load(tmp_path, tokenizer):
    index = KeywordIndex.build(DOCS, tokenizer)
    query = index.query_terms("dang ky khai sinh cho con")
    found = index.search(query, k=10)
    assert found[0][0] == "birth#tieu-de"
    assert [d for d, _ in found] == ["birth#tieu-de", "residence#tieu-de", "marriage#tieu-de"]  # "cho" in residence
    for doc_id, score in found:
        doc = [d for d, _ in DOCS].index(doc_id)
        assert score == pytest.approx(_bm25(index, query, doc), rel=1e-5)
    assert index.search(query, k=1) == found[:1]
    assert index.search(["khong", "co"], k=5) == [] and index.search([], k=5) == []

    index.save(tmp_path / "keyword.npz")
    loaded = KeywordIndex.load(tmp_path / "keyword.npz")
    assert loaded.tokenizer == tokenizer and loaded.ids == index.ids
    assert loaded.search(query, k=10) == found
    assert loaded.max_score(query) == pytest.approx(index.max_score(query))


def test_an_unknown_tokenizer_is_refused():
    with pytest.raises(ValueError, match="unknown keyword tokenizer"):
        terms("đăng ký", "jieba")


def test_english_and_german_function_words_are_no_keywords():
    """A few English phrasings make "what", "is", "of" rare, heavy BM25 terms; "the" folds to "thẻ"."""
    index = KeywordIndex.build(DOCS, "ngrams")
    assert index.query_terms("what is the capital of France", foreign=True) == ["capital", "france", "capital_france"]
    assert "the" in index.query_terms("lam the can cuoc")  # in Vietnamese "the" is "thẻ"
    assert "wie" not in index.query_terms("Wie lange dauert die Geburtsurkunde")
