"""Citizen phrasings and questions are matched on their topics (bot.search.topic)."""

import pytest

from bot.search.topic import embed_asked, topic_of


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("đăng ký kết hôn lệ phí bao nhiêu", "đăng ký kết hôn"),
        ("dang ky ket hon mat bao lau", "dang ky ket hon"),
        ("cho bà hỏi làm tạm trú ở công an xã hay ở đâu vậy", "làm tạm trú ở công an xã"),
        ("đăng ký khai sinh cần giấy tờ gì, nộp online được không?", "đăng ký khai sinh"),
        ("ad oi cho e hoi lam cccd cho be 10 tuoi the nao", "lam cccd cho be 10 tuoi"),
        ("How much is the fee to register a marriage?", "to register a marriage"),
        # "không" inside a question is part of it; only a trailing one is a particle
        ("không đăng ký tạm trú có bị phạt không", "không đăng ký tạm trú có bị phạt"),
        # a question that is only what it asks keeps its words: it has no topic to match on
        ("lệ phí bao nhiêu", "lệ phí bao nhiêu"),
        ("ở đâu?", "ở đâu?"),
    ],
)
def test_the_topic_drops_what_is_asked_and_the_politeness(text, topic):
    assert topic_of(text) == topic


def test_on_topics_a_fee_question_is_nearest_the_same_procedure_not_another_fee_question(embedder):
    """Whole texts: e5 puts 'kết hôn, lệ phí?' nearer 'nhận con nuôi, lệ phí?' than 'kết hôn, mang gì?'."""
    asked, same, other = embed_asked(embedder, ["đăng ký kết hôn lệ phí bao nhiêu",
                                                "đi đăng ký kết hôn phải mang theo những gì",
                                                "đăng ký nhận con nuôi lệ phí bao nhiêu"])
    assert asked @ same > asked @ other
    whole = embedder.embed_queries(["đăng ký kết hôn lệ phí bao nhiêu", "đi đăng ký kết hôn phải mang theo những gì",
                                    "đăng ký nhận con nuôi lệ phí bao nhiêu"])
    assert whole[0] @ whole[2] > whole[0] @ whole[1]  # why: the template outweighs the procedure
