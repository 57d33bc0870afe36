"""The phrasing classifier (bot.search.classifier): a softmax regression fitted on real citizen phrasings from
knowledge/, embedded with the real model, tells near-twin procedures apart on questions nobody wrote down; it is
stored by ingest and read back the same; and retrieval fuses its probability as a signal of its own."""

import numpy as np
import pytest

from bot.search.classifier import Classifier
from bot.search.retrieval import LIKELY_REASON, Outside, Signals, fused, refusal_of, signal_matrix
from bot.search.topic import embed_asked
from bot.settings import ROOT, Settings
from ingest.files import load_procedure

KNOWLEDGE = ROOT / "knowledge"
# near twins: plain and foreign-element registrations, a lost land certificate and an exchanged one, permanent and
# temporary residence and their removal, a lost and an exchanged ID card, a ferry's papers
TWINS = ("1.001193", "2.000528", "1.000894", "2.000806", "1.004222", "1.004194", "1.003197", "1.010028",
         "1.012786", "1.012783", "1.003930", "1.014064", "1.014063", "1.000656", "1.004884", "1.004746")


@pytest.fixture(scope="module")
def fitted(embedder) -> Classifier:
    phrasings = [(code, q) for code in TWINS
                 for q in load_procedure(KNOWLEDGE / "procedures" / f"{code}.md").item.questions]
    vectors = embed_asked(embedder, [q for _, q in phrasings])
    return Classifier.fit(vectors, [code for code, _ in phrasings], least=2)


@pytest.mark.parametrize(("question", "code"), [
    ("con tôi sinh bên Mỹ, giờ về Việt Nam làm khai sinh ở xã được không", "2.000528"),
    ("cháu mới đẻ ở trạm y tế xã, bố mẹ đi làm giấy khai sinh", "1.001193"),
    ("tôi cưới chồng người Hàn, đăng ký kết hôn ở đâu", "2.000806"),
    ("hai đứa đều người trong xã, muốn đăng ký kết hôn", "1.000894"),
    ("sổ đỏ bị chuột cắn rách, muốn đổi sổ mới", "1.012783"),
    ("làm mất sổ đỏ rồi, xin cấp lại thế nào", "1.012786"),
    ("thuê trọ gần trường, có phải đăng ký tạm trú không", "1.004194"),
    ("mất thẻ căn cước, làm lại ở đâu", "1.014064"),
    ("thẻ căn cước hết hạn, đổi thẻ mới", "1.014063"),
    # the nearest single phrasing is "Đăng ký thường trú"'s; the classifier weighs "xóa tên" against it
    ("chuyển hộ khẩu đi tỉnh khác thì phải xóa tên ở đây trước không", "1.003197"),
    ("ông nội mất hôm qua, làm giấy báo tử ở đâu", "1.000656"),
    ("giấy khai sinh bản gốc bị cháy, sổ ở xã cũng không còn, làm lại khai sinh", "1.004884"),
    ("ngày xưa đăng ký kết hôn rồi nhưng mất giấy, sổ ở ủy ban cũng thất lạc", "1.004746"),
    ("làm mất giấy đăng ký chiếc ghe chở khách, xin lại ở đâu", "1.003930"),
])
def test_a_question_nobody_wrote_goes_to_the_right_twin(fitted, embedder, question, code):
    p = fitted.probabilities(embed_asked(embedder, [question])[0])
    assert max(p, key=p.__getitem__) == code
    assert p[code] > 0.5


def test_probabilities_sum_to_one_and_survive_a_round_trip(fitted, embedder, tmp_path):
    vector = embed_asked(embedder, ["làm giấy khai sinh cho con"])[0]
    p = fitted.probabilities(vector, least=0.0)
    assert set(p) == set(TWINS)
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-4)
    path = tmp_path / "classifier.npz"
    fitted.save(path)
    again = Classifier.load(path)
    assert again.codes == fitted.codes
    assert again.probabilities(vector, least=0.0) == pytest.approx(p, abs=1e-6)


def test_the_same_phrasings_give_the_same_model():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes = [f"c{i % 4}" for i in range(40)]
    a, b = (Classifier.fit(vectors, codes, iterations=30, least=2), Classifier.fit(vectors, codes, iterations=30,
                                                                                     least=2))
    assert a.codes == ("c0", "c1", "c2", "c3")
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)


def test_a_handful_of_procedures_is_no_model():
    vectors = np.eye(4, dtype=np.float32)
    assert len(Classifier.fit(vectors, ["1.001193", "1.000894", "1.004194", "1.000656"])) == 0  # fewer than 50
    empty = Classifier.fit(vectors, ["1.001193"] * 4, least=1)  # never one alone
    assert len(empty) == 0
    assert empty.probabilities(vectors[0]) == {}
    assert Classifier().probabilities(vectors[0]) == {}


def test_the_classifier_signal_moves_the_fused_ranking_by_its_weight():
    # two candidates alike in every other signal; the second is the one the classifier is sure of
    a = Signals("1.001193", 0.88, 0.5, 0.6, 0.93, True, "tong-quan", learned=0.05)
    b = Signals("2.000528", 0.88, 0.5, 0.6, 0.92, True, "tong-quan", learned=0.90)
    raw = signal_matrix([a, b])
    assert raw.shape == (2, 6)
    without = fused(raw, Settings(classifier_weight=0.0, question_weight=0.2))
    with_it = fused(raw, Settings(classifier_weight=1.0, question_weight=0.2))
    assert without[0] > without[1]
    assert with_it[1] > with_it[0]
    assert with_it[1] - without[1] == pytest.approx(0.90)


def test_the_classifier_speaks_only_for_a_candidate_whose_phrasings_are_like_the_question():
    # probabilities add up to 1 even for a question about something else: a phrasing cosine under 0.80 gets nothing
    # of it, 0.85 half
    far = Signals("1.001193", 0.80, 0.1, 0.0, 0.78, True, "tong-quan", learned=0.95)
    near = Signals("1.001193", 0.80, 0.1, 0.0, 0.85, True, "tong-quan", learned=0.95)
    raw = signal_matrix([far, near])
    gain = fused(raw, Settings(classifier_weight=1.0)) - fused(raw, Settings(classifier_weight=0.0))
    assert gain == pytest.approx([0.0, 0.475])


def test_a_question_the_classifier_recognises_no_procedure_in_is_refused_only_without_a_good_match():
    s = Settings(min_score=0.9, likely_min=0.5, likely_max_score=1.2, classifier_min=0.04)
    raw = np.array([[0.85, 0.2, 0.0, 0.86, 1.0, 0.02]])
    unrecognised, recognised = Outside(0.80, 0.1, 0.02), Outside(0.80, 0.1, 0.35)
    assert refusal_of(unrecognised, np.array([1.1]), raw, s) == LIKELY_REASON  # would have been choices
    assert refusal_of(recognised, np.array([1.1]), raw, s) == ""
    assert refusal_of(unrecognised, np.array([1.3]), raw, s) == ""  # a procedure matches well: answered
    assert refusal_of(Outside(0.80, 0.1), np.array([1.1]), raw, s) == ""  # no classifier: nothing to say
