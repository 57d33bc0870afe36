"""The first candidates get the cosines their chunks missed the dense top-n for (a 0 there would read "unlike")."""

import numpy as np

from bot.search.query import parse_query
from bot.search.retrieval import Retriever, validate_query


def _signals(assistant, settings, question):
    retriever = Retriever(settings, assistant.catalog, assistant.store, assistant.embedder)
    cleaned = validate_query(question, 1000)
    return retriever, {s.code: s for s in retriever.signals(parse_query(cleaned, assistant.catalog.lexicon), cleaned)}


def test_a_candidate_outside_the_dense_top_n_gets_its_own_cosines(assistant, settings):
    question = "đăng ký kết hôn cần giấy tờ gì"
    narrow = settings.model_copy(update={"dense_candidates": 1, "complete_top": 0})
    _, bare = _signals(assistant, narrow, question)
    missed = [c for c, s in bare.items() if s.dense == 0.0 and s.keyword > 0]
    assert missed, "with a top-1 dense search some keyword candidates have no passage cosine"

    retriever, done = _signals(assistant, narrow.model_copy(update={"complete_top": 500}), question)
    query = parse_query(question, assistant.catalog.lexicon)
    vector = assistant.embedder.embed_queries([retriever.dense_text(query, question)])[0]
    for code in missed:
        stored = assistant.store.vectors(assistant.catalog.chunk_ids[code], "passage")
        expected = max(float(v @ vector) for v in stored.values())
        assert done[code].dense > 0 and np.isclose(done[code].dense, expected, atol=1e-4)
        assert done[code].keyword == bare[code].keyword  # only what was missing changes


def test_completion_keeps_the_marriage_procedure_first(assistant):
    assert assistant.search("dang ky ket hon can giay to gi").results[0].code == "1.000894"
