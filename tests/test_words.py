"""The classifier's word model (bot.search.words): a naive Bayes over the syllables of real citizen phrasings and
titles from knowledge/, read by the real lexicon, tells near twins apart by the words that differ; it is stored and
read back the same; with the classifier it changes the probabilities retrieval reads; and the choices a citizen sees
put the classifier's two likeliest procedures right after the first result (`shown`)."""

import numpy as np
import pytest

from bot.search.classifier import Classifier
from bot.search.query import parse_query
from bot.search.retrieval import Signals, fused, shown, signal_matrix
from bot.search.words import WordModel, terms
from bot.settings import ROOT, Settings
from ingest.files import load_procedure
from ingest.pipeline import load_lexicon

KNOWLEDGE = ROOT / "knowledge"
# first issue, re-issue and exchange of an ID card; permanent and temporary residence and their removal; the poor and
# the near-poor household; a lost land certificate and an exchanged one
TWINS = ("1.014061", "1.014064", "1.014063", "1.004222", "1.004194", "1.003197", "1.010028", "1.012786", "1.012783")


@pytest.fixture(scope="module")
def lexicon():
    found, _, error = load_lexicon(KNOWLEDGE)
    assert found is not None, error
    return found


@pytest.fixture(scope="module")
def model(lexicon) -> WordModel:
    items = [load_procedure(KNOWLEDGE / "procedures" / f"{code}.md").item for code in TWINS]
    examples = {p.code: [parse_query(t, lexicon).expanded for t in (*p.questions, p.title)] for p in items}
    return WordModel.fit(examples, TWINS)


def test_terms_are_folded_syllables_and_their_pairs():
    assert terms("Cấp lại thẻ") == {"cap", "lai", "the", "cap lai", "lai the"}


@pytest.mark.parametrize(("question", "code"), [
    ("lam mat the can cuoc roi lam lai o dau", "1.014064"),
    ("the cccd het han thi doi the moi the nao", "1.014063"),
    ("thue tro o thanh pho co phai dang ky tam tru khong", "1.004194"),
    ("chuyen di tinh khac song thi xoa thuong tru o que sao", "1.003197"),
    ("so do bi mat lam lai duoc khong", "1.012786"),
])
def test_the_words_that_differ_pick_the_right_twin(model, lexicon, question, code):
    scores = model.log_likelihoods(parse_query(question, lexicon).expanded)
    assert model.codes[int(np.argmax(scores))] == code


def test_a_round_trip_gives_the_same_model(model, lexicon, tmp_path):
    text = parse_query("xin cap lai the can cuoc bi mat", lexicon).expanded
    path = tmp_path / "words.npz"
    model.save(path)
    again = WordModel.load(path)
    assert (again.codes, again.vocabulary) == (model.codes, model.vocabulary)
    assert np.allclose(again.log_likelihoods(text), model.log_likelihoods(text))
    empty = tmp_path / "empty.npz"
    WordModel().save(empty)
    assert len(WordModel.load(empty)) == 0 and WordModel.load(empty).vocabulary == ()


def test_no_examples_no_model():
    assert len(WordModel.fit({}, TWINS)) == 0
    assert WordModel().log_likelihoods("lam lai can cuoc").shape == (0,)


def test_the_classifier_reads_the_words_only_for_its_own_classes(model, lexicon):
    # a vector that favours no procedure: the words decide; a word model of other classes is not read
    flat = Classifier(TWINS, np.zeros((4, len(TWINS)), dtype=np.float32), np.zeros(len(TWINS), dtype=np.float32))
    vector = np.ones(4, dtype=np.float32) / 2
    text = parse_query("the can cuoc bi mat lam lai", lexicon).expanded
    assert flat.probabilities(vector, text, least=0.0) == pytest.approx({c: 1 / len(TWINS) for c in TWINS})
    with_words = Classifier(flat.codes, flat.weights, flat.bias, model).probabilities(vector, text, least=0.0)
    assert max(with_words, key=with_words.__getitem__) == "1.014064"
    assert sum(with_words.values()) == pytest.approx(1.0, abs=1e-5)
    other = WordModel.fit({"1.014064": ["the can cuoc bi mat"], "1.001193": ["khai sinh"]}, ("1.014064", "1.001193"))
    ignored = Classifier(flat.codes, flat.weights, flat.bias, other).probabilities(vector, text, least=0.0)
    assert ignored == pytest.approx({c: 1 / len(TWINS) for c in TWINS})


def test_the_classifiers_two_likeliest_come_right_after_the_first():
    rows = [Signals("a", 0.9, 1.0, 0.8, 0.9, True, "", learned=0.05),
            Signals("b", 0.9, 0.9, 0.8, 0.9, True, "", learned=0.01),
            Signals("c", 0.9, 0.8, 0.8, 0.9, True, "", learned=0.0),
            Signals("d", 0.8, 0.1, 0.0, 0.9, True, "", learned=0.60),
            Signals("e", 0.8, 0.1, 0.0, 0.9, True, "", learned=0.30)]
    raw = signal_matrix(rows)
    scores = fused(raw, Settings())
    assert [int(i) for i in np.argsort(-scores)] == [0, 1, 2, 3, 4]
    assert shown(scores, raw, 5) == [0, 3, 4, 1, 2]  # d and e, the classifier's likeliest, before b and c
    assert shown(scores, raw, 2) == [0, 3]
    raw[:, 5] = [0.7, 0.0, 0.0, 0.2, 0.1]  # the first is the classifier's likeliest too: only its second moves up
    assert shown(scores, raw, 3) == [0, 3, 1]
    raw[:, 5] = 0.0  # no classifier: the fused order
    assert shown(scores, raw, 5) == [0, 1, 2, 3, 4]
    assert shown(np.zeros(0), np.zeros((0, 6)), 3) == []
