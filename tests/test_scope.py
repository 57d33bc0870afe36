"""The scope model (bot.search.scope): a logistic regression fitted on real citizen phrasings and real out-of-scope
examples from knowledge/, embedded with the real model, tells questions it never saw apart; and retrieval refuses
a likely out-of-scope question only where no procedure matches well."""

import numpy as np
import pytest

from bot.search.retrieval import LIKELY_REASON, OUTSIDE_REASON, Outside, refusal_of
from bot.search.scope import ScopeModel
from bot.search.topic import embed_asked
from bot.settings import ROOT, Settings
from ingest.files import load_procedure
from ingest.outside import load_outside

KNOWLEDGE = ROOT / "knowledge"
PROCEDURES = ("1.001193", "1.000894", "1.004194", "1.004222", "2.001159", "2.000815", "1.004873", "1.013978",
              "1.012786", "1.001695", "1.000419", "1.004859")


@pytest.fixture(scope="module")
def model(embedder) -> ScopeModel:
    inside = [q for code in PROCEDURES for q in load_procedure(KNOWLEDGE / "procedures" / f"{code}.md").item.questions]
    outside = load_outside(KNOWLEDGE, {})[0][::3]
    vectors = embed_asked(embedder, inside + outside)
    return ScopeModel.fit(vectors, np.array([False] * len(inside) + [True] * len(outside)))


@pytest.mark.parametrize(("question", "outside"), [
    ("Can you suggest a cozy cafe to work from in Hoi An?", True),
    ("Wie lange dauert die Fahrt von Hanoi nach Ha Long?", True),
    ("viết giúp em bài văn tả con mèo nhà em khoảng 200 chữ", True),
    ("ai vô địch world cup năm 2022 vậy", True),
    ("How do I register temporary residence for my tenant?", False),
    ("Wo beantrage ich eine Geburtsurkunde für unser Baby?", False),
    ("con tôi mới sinh được một tuần, đi làm giấy khai sinh cần mang theo gì", False),
    ("nhà có khách ở lại qua đêm có phải báo công an không", False),
])
def test_a_question_about_something_else_is_likely_out_of_scope_and_a_procedure_question_is_not(
        model, embedder, question, outside):
    assert (model.likely(embed_asked(embedder, [question])[0]) >= 0.5) == outside


def test_no_examples_or_no_phrasings_is_no_model():
    vectors = np.eye(4, dtype=np.float32)
    assert ScopeModel.fit(vectors, np.zeros(4, dtype=bool)).weights == []
    assert ScopeModel.fit(vectors, np.ones(4, dtype=bool)).likely(vectors[0]) == 0.0


def test_likely_out_of_scope_is_refused_only_without_a_good_match():
    s = Settings(min_score=0.9, likely_min=0.3, likely_max_score=1.0)
    raw = np.array([[0.85, 0.2, 0.0, 0.86, 1.0]])
    likely, unlikely = Outside(0.80, 0.6), Outside(0.80, 0.1)
    assert refusal_of(likely, np.array([0.95]), raw, s) == LIKELY_REASON  # would have been choices
    assert refusal_of(unlikely, np.array([0.95]), raw, s) == ""
    assert refusal_of(likely, np.array([1.3]), raw, s) == ""  # a procedure matches well: answered
    assert refusal_of(likely, np.array([0.5]), raw, s) == "no_match"
    assert refusal_of(Outside(0.95, 0.0), np.array([1.3]), raw, s) == OUTSIDE_REASON  # nearer an example
