"""Every fixed label and message an answer can show, per language (vi, en, de).

Content quoted from the official texts stays Vietnamese; only these labels follow the asker's language.
"""

from __future__ import annotations

from typing import Any

LABELS = {
    "vi": {
        "intro": "Thông tin từ thủ tục", "documents": "Hồ sơ cần chuẩn bị", "notes": "Lưu ý về hồ sơ",
        "where": "Nơi nộp và cách nộp", "time": "Thời hạn giải quyết", "fee": "Phí, lệ phí",
        "legal": "Căn cứ pháp lý", "link": "Nguồn chính thức", "steps": "Trình tự thực hiện",
        "eligibility": "Đối tượng, điều kiện", "result": "Kết quả", "online": "Nộp trực tuyến",
        "verbatim": "Nội dung trích nguyên văn từ văn bản chính thức; Trung tâm Phục vụ hành chính công là nơi có "
                    "ý kiến cuối cùng.",
        "more": "Thủ tục liên quan khác", "none": "Không có thông tin",
        "online_yes": "Có thể nộp trực tuyến qua Cổng Dịch vụ công quốc gia",
        "online_no": "Văn bản không ghi hình thức nộp trực tuyến cho thủ tục này",
        "authored": "Thủ tục này do tthc-bot biên soạn từ văn bản pháp luật, chưa có trên Cổng Dịch vụ công.",
        "unit_missing": "(Cổng DVC không ghi đơn vị)",
        "more_docs": "… và các giấy tờ khác: xem đủ tại nguồn chính thức",
    },
    "en": {
        "intro": "From the procedure", "documents": "Documents to bring", "notes": "Notes on the documents",
        "where": "Where and how to submit", "time": "Time limit", "fee": "Fee", "legal": "Legal basis",
        "link": "Official source", "steps": "Steps", "eligibility": "Who can apply, conditions", "result": "Result",
        "online": "Online submission",
        "verbatim": "The content is quoted in Vietnamese, as written in the official text; the Public Administration "
                    "Service Center has the final word.",
        "more": "Related procedures", "none": "Not stated",
        "online_yes": "Can be submitted online through the National Public Service Portal",
        "online_no": "The official text lists no online channel for this procedure",
        "authored": "Written by tthc-bot from the legal texts; not yet on the national portal.",
        "unit_missing": "(the portal gives no unit)",
        "more_docs": "… and more: see the official source for the full list",
    },
}
LABELS["de"] = {**LABELS["en"], "documents": "Benötigte Unterlagen", "fee": "Gebühr", "time": "Bearbeitungszeit",
                "where": "Wo und wie einreichen", "legal": "Rechtsgrundlage", "link": "Offizielle Quelle",
                "verbatim": "Der Inhalt ist auf Vietnamesisch zitiert, wie im offiziellen Text; das Bürgerbüro der "
                            "Gemeinde hat das letzte Wort.", "more": "Verwandte Verfahren"}

SCOPE_MESSAGE = {
    "vi": "Xin lỗi, tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính (khai sinh, kết hôn, khai tử, cư trú, căn cước, "
          "chứng thực, đất đai, bảo hiểm y tế, trợ cấp xã hội...). Bạn hãy hỏi về một thủ tục, ví dụ: "
          "\"làm giấy khai sinh cần gì?\"",
    "en": "Sorry, I can only help with Vietnamese administrative procedures (birth, marriage, death registration, "
          "residence, ID cards, certification, land, health insurance, social allowances...). Try asking, "
          "for example: \"What do I need to register a birth?\"",
    "de": "Entschuldigung, ich helfe nur bei vietnamesischen Verwaltungsverfahren (Geburt, Heirat, Wohnsitz, "
          "Ausweis, Beglaubigung, Land, Krankenversicherung, Sozialleistungen).",
}
NO_MATCH = {
    "vi": "Tôi chưa tìm thấy thủ tục phù hợp trong cơ sở dữ liệu cho câu hỏi này. Bạn vui lòng hỏi trực tiếp "
          "Trung tâm Phục vụ hành chính công của xã, phường nơi cư trú, hoặc diễn đạt lại câu hỏi.",
    "en": "I could not find a matching procedure in the knowledge base. Please ask the Public Administration "
          "Service Center of your commune or ward, or rephrase the question.",
}
NO_MATCH["de"] = NO_MATCH["en"]
SAFETY = {
    "emergency": {
        "vi": "Nếu bạn hoặc người thân đang gặp nguy hiểm, hãy gọi ngay: 113 (Công an), 114 (cứu hỏa, cứu nạn), "
              "115 (cấp cứu y tế). Tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính.",
        "en": "If you or someone else is in danger, call now: 113 (police), 114 (fire and rescue), 115 (ambulance). "
              "I can only help with administrative procedures.",
    },
    "scam": {
        "vi": "Nếu bạn bị lừa đảo hoặc nghi ngờ bị lừa đảo, hãy báo ngay cho Công an xã, phường nơi gần nhất hoặc "
              "gọi 113. Tôi chỉ hỗ trợ hỏi đáp về thủ tục hành chính.",
        "en": "If you have been scammed or suspect a scam, report it at once to the commune or ward police, or call "
              "113. I can only help with administrative procedures.",
    },
}
SAFETY["forgery"] = {
    "vi": "Làm giả giấy tờ, tài liệu của cơ quan, tổ chức là hành vi phạm tội (Điều 341 Bộ luật Hình sự 2015). "
          "Tôi không hướng dẫn việc này. Nếu giấy tờ thật của bạn bị mất, hỏng hoặc ghi sai, bạn có thể hỏi cách "
          "cấp lại hoặc đính chính, ví dụ: \"cấp lại bản sao giấy khai sinh\".",
    "en": "Forging documents of an agency or organisation is a crime in Vietnam (Article 341 of the 2015 Criminal "
          "Code). I cannot help with that. If a real document was lost, damaged or is wrong, ask how to have it "
          "re-issued or corrected.",
}
SAFETY["bribery"] = {
    "vi": "Đưa hối lộ cho cán bộ, công chức là hành vi phạm tội (Điều 364 Bộ luật Hình sự 2015). Thủ tục được "
          "giải quyết theo hồ sơ, thời hạn và lệ phí công khai; nếu bị gây khó khăn, bạn có thể phản ánh tới "
          "Ủy ban nhân dân xã, phường hoặc qua Cổng Dịch vụ công quốc gia.",
    "en": "Offering a bribe to an official is a crime in Vietnam (Article 364 of the 2015 Criminal Code). Procedures "
          "are handled on the published documents, time limits and fees; if an official makes it difficult, you "
          "can complain to the commune or ward People's Committee or through the National Public Service Portal.",
}
SAFETY["other_task"] = {
    "vi": "Tôi chỉ trả lời câu hỏi về thủ tục hành chính theo văn bản chính thức: tôi không viết mã, không soạn "
          "văn bản thay cơ quan nhà nước và không làm việc khác. Bạn hãy hỏi về một thủ tục, ví dụ: "
          "\"đăng ký tạm trú cần gì?\"",
    "en": "I only answer questions about administrative procedures from the official texts: I do not write code, "
          "draft official papers or do other tasks. Ask about a procedure, for example: \"How do I register "
          "temporary residence?\"",
}
SAFETY["abroad"] = {
    "vi": "Tôi chỉ có các thủ tục hành chính của Việt Nam. Giấy tờ, thị thực và chế độ của nước khác do cơ quan của "
          "nước đó giải quyết; bạn hãy hỏi trực tiếp cơ quan ấy. Nếu bạn cần một thủ tục của Việt Nam (hộ chiếu Việt "
          "Nam, hộ tịch, lý lịch tư pháp, hợp pháp hóa giấy tờ…), hãy hỏi lại về thủ tục đó.",
    "en": "I only know Vietnam's administrative procedures. Another country's papers, visas and benefits are handled "
          "by that country's authorities; please ask them. If you need a Vietnamese procedure (a Vietnamese "
          "passport, civil status, a criminal record certificate, legalising papers…), ask about that one.",
}
for _kind in SAFETY.values():
    _kind["de"] = _kind["en"]
CHOICES = {
    "vi": "Bạn muốn hỏi về thủ tục nào? Hãy chọn một (bấm vào, hoặc gõ số):",
    "en": "Which procedure do you mean? Pick one (tap it, or type its number):",
    "de": "Welches Verfahren meinen Sie? Bitte wählen Sie eines (antippen oder die Nummer eingeben):",
}

# The short answer's fixed phrases (bot/answers/brief.py). Values quoted from the texts stay Vietnamese.
BRIEF: dict[str, dict[str, Any]] = {
    "vi": {
        "time": "Thời hạn giải quyết", "time_none": "Văn bản không ghi rõ thời hạn giải quyết.",
        "text_says": "Văn bản ghi:", "fee": "Lệ phí", "fee_none": "Văn bản không ghi phí, lệ phí.",
        "free": "miễn lệ phí", "reduced_pct": "bằng {p}% mức", "reduced": "thay cho mức",
        "until": ", áp dụng đến hết ngày {d}", "not_stated": "không ghi rõ",
        "elsewhere": "Lưu ý: thuế, lệ phí trước bạ và các khoản phí do tỉnh quy định không nằm ở đây; xem "
                     "«{title}» [{code}].",
        "where": "Nộp tại", "where_none": "Văn bản không ghi rõ nơi nộp; hãy hỏi Trung tâm Phục vụ hành chính công "
                                          "của xã, phường.",
        "ask_center": "Trung tâm Phục vụ hành chính công {name}",
        "or": "hoặc", "online": "nộp trực tuyến (Cổng Dịch vụ công quốc gia)", "post": "gửi qua bưu chính",
        "address": "Địa chỉ", "hours": "Giờ làm việc", "phone": "Điện thoại",
        "who": "Người được làm thủ tục", "result": "Kết quả nhận được", "steps": "Các bước",
        "legal": "Căn cứ pháp lý",
        "online_yes": "Có thể nộp trực tuyến qua Cổng Dịch vụ công quốc gia.",
        "online_no": "Văn bản không ghi hình thức nộp trực tuyến cho thủ tục này.",
        "documents": "Giấy tờ cần mang", "documents_lead": "Cần chuẩn bị các giấy tờ sau.",
        "bring": {"original": "bản chính", "copy": "bản sao", "show": "xuất trình"},
        "special": "Trường hợp đặc biệt", "see_card": "xem đủ trong thủ tục đầy đủ",
        "more_documents": "… và {n} giấy tờ khác (xem đủ trong thủ tục đầy đủ)",
        "link": "Nguồn chính thức",
        "authored": "Thủ tục này do tthc-bot biên soạn từ văn bản pháp luật, chưa có trên Cổng Dịch vụ công.",
        "footer": "Tóm tắt từ văn bản chính thức; Trung tâm Phục vụ hành chính công là nơi có ý kiến cuối cùng.",
        "units": {},
    },
    "en": {
        "time": "Processing time", "time_none": "The official text states no processing time.",
        "text_says": "The text says:", "fee": "Fee", "fee_none": "The official text states no fee.",
        "free": "no fee (miễn lệ phí)", "reduced_pct": "{p}% of", "reduced": "instead of",
        "until": ", until {d}", "not_stated": "not stated",
        "elsewhere": "Note: taxes, the registration fee and the fees set by the province are not included; see "
                     "«{title}» [{code}].",
        "where": "Submit at", "where_none": "The text does not say where to submit; ask the commune's Public "
                                            "Administration Service Center.",
        "ask_center": "the Public Administration Service Center of {name}",
        "or": "or", "online": "online (National Public Service Portal)", "post": "by post",
        "address": "Address", "hours": "Opening hours", "phone": "Phone",
        "who": "Who can apply", "result": "You receive", "steps": "Steps", "legal": "Legal basis",
        "online_yes": "Can be submitted online through the National Public Service Portal.",
        "online_no": "The official text lists no online channel for this procedure.",
        "documents": "Documents to bring", "documents_lead": "Bring the following documents (names as the office "
                                                             "uses them).",
        "bring": {"original": "original", "copy": "copy", "show": "to show"},
        "special": "Special cases", "see_card": "see the full procedure",
        "more_documents": "… and {n} more (see the full procedure)",
        "link": "Official source",
        "authored": "Written by tthc-bot from the legal texts; not yet on the national portal.",
        "footer": "Summarised from the official text, quoted in Vietnamese; the Public Administration Service "
                  "Center has the final word.",
        "units": {"ngày làm việc": "working days", "ngày": "days", "giờ": "hours", "tháng": "months"},
    },
}
BRIEF["de"] = {
    **BRIEF["en"],
    "time": "Bearbeitungszeit", "time_none": "Der offizielle Text nennt keine Bearbeitungszeit.",
    "text_says": "Im Text steht:", "fee": "Gebühr", "fee_none": "Der offizielle Text nennt keine Gebühr.",
    "free": "gebührenfrei (miễn lệ phí)", "reduced_pct": "{p} % von", "reduced": "statt", "until": ", bis {d}",
    "not_stated": "nicht angegeben",
    "elsewhere": "Hinweis: Steuern, Registrierungsgebühr und Gebühren der Provinz sind nicht enthalten; siehe "
                 "«{title}» [{code}].",
    "where": "Einreichen bei", "where_none": "Der Text nennt keine Stelle; fragen Sie das Bürgerbüro der Gemeinde.",
    "ask_center": "das Bürgerbüro (Trung tâm Phục vụ hành chính công) von {name}",
    "or": "oder", "online": "online (Nationales Portal für öffentliche Dienste)", "post": "per Post",
    "address": "Adresse", "hours": "Öffnungszeiten", "phone": "Telefon",
    "who": "Antragsberechtigt", "result": "Sie erhalten", "steps": "Schritte", "legal": "Rechtsgrundlage",
    "online_yes": "Kann online über das Nationale Portal eingereicht werden.",
    "online_no": "Der offizielle Text nennt keinen Online-Weg für dieses Verfahren.",
    "documents": "Mitzubringende Unterlagen", "documents_lead": "Bringen Sie folgende Unterlagen mit (Namen so, "
                                                                "wie das Amt sie verwendet).",
    "bring": {"original": "Original", "copy": "Kopie", "show": "vorzeigen"},
    "special": "Sonderfälle", "see_card": "siehe vollständiges Verfahren", "link": "Offizielle Quelle",
    "more_documents": "… und {n} weitere (siehe vollständiges Verfahren)",
    "authored": "Von tthc-bot aus den Rechtstexten verfasst; noch nicht im nationalen Portal.",
    "footer": "Zusammengefasst aus dem offiziellen Text, auf Vietnamesisch zitiert; das Bürgerbüro der Gemeinde "
              "hat das letzte Wort.",
    "units": {"ngày làm việc": "Arbeitstage", "ngày": "Tage", "giờ": "Stunden", "tháng": "Monate"},
}
CHANNEL_NAMES = {
    "en": {"Trực tiếp": "in person", "Trực tuyến": "online", "Dịch vụ bưu chính": "by post"},
    "de": {"Trực tiếp": "persönlich", "Trực tuyến": "online", "Dịch vụ bưu chính": "per Post"},
}
