"""The scope model (bot.search.scope): a logistic regression fitted on real citizen phrasings and real out-of-scope
examples from knowledge/, embedded with the real model, tells questions it never saw apart; and retrieval refuses
a likely out-of-scope question only where no procedure matches well."""

import numpy as np
import pytest

from bot.search.lexicon import Lexicon
from bot.search.query import parse_query
from bot.search.retrieval import LIKELY_REASON, OUTSIDE_REASON, WORDS_REASON, Outside, refusal_of
from bot.search.scope import ScopeModel, ScopeWords
from bot.search.topic import embed_asked
from bot.settings import ROOT, Settings
from ingest.files import load_procedure
from ingest.outside import load_outside
from ingest.pipeline import expanded_phrasings, load_knowledge, load_lexicon, scope_words

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


@pytest.fixture(scope="module")
def reading() -> Lexicon:
    lexicon, _, error = load_lexicon(KNOWLEDGE)
    assert lexicon is not None and not error
    return lexicon


@pytest.fixture(scope="module")
def words(reading) -> ScopeWords:
    """As ingest fits it on the whole knowledge base: every phrasing and title against every example. (A story that
    names a procedure's words and then asks about something else is not caught this way: its log-odds are well
    below zero.)"""
    loaded, _ = load_knowledge(KNOWLEDGE)
    return scope_words(expanded_phrasings(loaded, reading), load_outside(KNOWLEDGE, {})[0], reading)


@pytest.mark.parametrize(("question", "outside"), [
    ("vo chong tui cai nhau hoai vi chuyen tien bac, gio tui muon lam lanh ma ngai qua, nen nhan tin gi cho ong xa?",
     True),
    ("đàn gà nhà tui tự nhiên ủ rũ, bỏ ăn, phân xanh, có phải bị cúm không, cho uống thuốc gì?", True),
    ("Đi đám giỗ bên nội thì nên mang theo gì, mâm quả hay phong bì bao nhiêu là vừa?", True),
    ("How do I register my newborn's birth? My wife gave birth at the district hospital last week.", False),
    ("con tôi mới sinh được một tuần, đi làm giấy khai sinh cần mang theo gì", False),
    ("nhà có khách ở lại qua đêm có phải báo công an không", False),
    ("Wo beantrage ich eine Geburtsurkunde für unser Baby?", False),
    ("Hôm qua tui lên xã hỏi, cán bộ nói nhanh lắm. Mà làm lại căn cước bị mất thì cần giấy tờ gì?", False),
])
def test_the_words_of_a_question_about_something_else_are_likelier_out_of_scope(reading, words, question, outside):
    assert (words.log_odds(parse_query(question, reading).expanded) >= Settings().words_min) == outside


def test_no_examples_or_no_phrasings_is_no_word_model():
    assert ScopeWords.fit(["lam giay khai sinh"], []).log_odds("gia vang") == 0.0
    assert ScopeWords.fit([], ["gia vang hom nay"]).log_odds("gia vang") == 0.0


def test_words_out_of_scope_are_refused_only_without_a_very_good_match():
    s = Settings(words_min=4.0, words_max_score=1.5)
    raw = np.array([[0.85, 0.2, 0.0, 0.86, 1.0, 0.5]])
    story, procedure = Outside(0.80, 0.1, 0.5, words=9.0), Outside(0.80, 0.1, 0.5, words=-12.0)
    assert refusal_of(story, np.array([1.3]), raw, s) == WORDS_REASON
    assert refusal_of(procedure, np.array([1.3]), raw, s) == ""
    assert refusal_of(story, np.array([1.7]), raw, s) == ""  # a procedure matches very well: answered
