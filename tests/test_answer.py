"""Extractive answers: the asked part first, then the card; everything cited to its procedure."""


def test_birth_registration_answer_is_grounded(assistant):
    ans = assistant.ask("con toi moi de, lam giay khai sinh o dau")
    assert ans.in_scope and ans.language == "vi"
    assert ans.sources[0].procedure_id == "1.001193"
    assert ans.sources[0].url.startswith("https://dichvucong.gov.vn/")
    text = ans.answer
    assert "[1.001193]" in text
    assert "Giấy chứng sinh" in text  # the document
    assert "Miễn phí" in text  # the fee
    assert "123/2015/NĐ-CP" in text  # the legal basis
    assert "Trực tiếp" in text and "Trực tuyến" in text  # where and how
    assert ans.sources[0].url in text


def test_fee_question_leads_with_the_fee(assistant):
    ans = assistant.ask("đăng ký kết hôn lệ phí bao nhiêu")
    lines = ans.answer.splitlines()
    assert ans.sources[0].procedure_id == "1.000894"
    assert lines[1].startswith("• Phí, lệ phí")
    assert ans.aspect == "fee"


def test_english_question_gets_english_labels(assistant):
    ans = assistant.ask("What documents do I need to register a birth?")
    assert ans.language == "en"
    assert "Documents to bring" in ans.answer
    assert "quoted in Vietnamese" in ans.answer
    assert ans.sources[0].procedure_id == "1.001193"


def test_authored_procedure_says_where_figures_come_from(assistant):
    ans = assistant.ask("mức trợ cấp xã hội hàng tháng cho người cao tuổi")
    assert ans.sources[0].procedure_id == "A.BYT.001"
    assert "20/2021/NĐ-CP" in ans.answer
    assert "biên soạn" in ans.answer


def test_out_of_scope_answer_points_to_scope(assistant):
    ans = assistant.ask("viết cho tôi một bài thơ")
    assert not ans.in_scope and ans.sources == []
    assert "thủ tục hành chính" in ans.answer
