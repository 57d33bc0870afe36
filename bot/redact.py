"""Keep personal data out of logs and storage: phone, ID-card, tax-code and bank-account numbers, e-mail
addresses (also URL-encoded) and personal names.

Numbers are read as runs of digits, grouped by spaces, dots or dashes as people write them ("0912 345 678",
"079.203.001.234", "0 7 9 2 ..."), and classified by their length, their shape and the words before them. What
the knowledge base itself is full of is left alone: dates, fees, procedure codes (1.001193), legal numbers
(123/2015/NĐ-CP), years, ages and the national hotlines (1900 …).

Names are a capitalised Vietnamese family name followed by one to three capitalised syllables ("Nguyễn Văn
Bình"), or capitalised syllables after a cue ("tên là Bình", "chị Lan"). Places named after people ("đường Lê
Lợi", "Phường Lý Thái Tổ", "Hồ Chí Minh") are not names. `tests/test_redact.py` checks that no question of the
evaluation sets, no citizen phrasing and no procedure title is changed.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_plus

EMAIL = "[email]"
PHONE = "[số điện thoại]"
ID_NUMBER = "[số giấy tờ]"
TAX_CODE = "[mã số thuế]"
ACCOUNT = "[số tài khoản]"
NAME = "[họ tên]"

# --- e-mail -----------------------------------------------------------------------------------------------------
# starts only where a word starts, and never backtracks: linear on a long line without an e-mail in it
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)

# --- numbers ----------------------------------------------------------------------------------------------------
_SPACE = "[ \u00a0]"
_CURRENCY = r"(?:đồng|đ\b|vnđ|vnd|usd|eur|triệu|tỷ|tỉ|nghìn|ngàn|%)"
# kept as they are: tried before a run at the same place, and a run stops before one
_KEEP = "|".join((
    *(rf"\d{{1,2}}{s}\d{{1,2}}{s}(?:19|20)\d{{2}}(?!\d)" for s in ("/", r"\.", "-", " ")),  # 01/7/2025, 1.7.2025
    r"(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)",  # 2025-07-01
    r"(?:19|20)\d{2}\s?[-–]\s?(?:19|20)\d{2}(?!\d)",  # 2021-2025
    rf"\d{{1,3}}(?:[., \u00a0]\d{{3}})+(?=\s?{_CURRENCY})",  # 50.000 đồng, 10 000 000 đ
    rf"\d+(?=\s?{_CURRENCY})",  # 1000000 đồng, 50%
    r"[1-9]\d{0,2}(?:\.\d{3})*\.000(?!\d)",  # 100.000.000 (a round amount)
    r"\d\.\d{6}(?![\d.])",  # procedure code 1.001193
    r"1[89]00[ .]?\d{4}(?:[ .]?\d{2})?(?!\d)",  # national hotlines: 1900 1234, 1800 6789
    r"(?<=số )[1-9]\d{0,3}(?:-[1-9]\d{0,3})+(?!\d)",  # house numbers: số 333-335-337
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])",  # IPv4 address
))
_CHUNK = r"\d(?:[.\-]?\d)*"
_RUN = rf"{_CHUNK}(?:{_SPACE}(?!(?:{_KEEP})){_CHUNK})*"
_INTL = r"(?:\(\s?\+?84\s?\)|\+84)[ \u00a0.\-]?"
_NUMBERS = re.compile(
    rf"(?P<keep>(?<!\d)(?:{_KEEP}))"
    r"|(?P<passport>(?-i:\b[A-Z]\d{7,8}\b))"
    # a run glued to letters is part of a code (a UUID, "TP-G12.0001143", "2025.docx"), not a number of a person
    rf"|(?:(?P<intl>{_INTL})|(?<=cccd)|(?<=cmnd)|(?<=sđt)|(?<=sdt)|(?<=mst)|(?<=stk)|(?<![\w])(?<![\w][.\-]))"
    rf"(?P<run>(?>{_RUN}))(?![\w])",
    re.IGNORECASE,
)
_GAP = r"[\w ]{0,24}\W*$"  # "mã số thuế của công ty là 0312…": a few words may stand between a cue and its number
_CUES = (
    (ACCOUNT, re.compile(r"(?:tài khoản|tai khoan|\bstk|\bs[ốo] tk|\btk|ngân hàng|ngan hang|account|konto|iban)"
                         + _GAP, re.IGNORECASE)),
    (TAX_CODE, re.compile(r"(?:mã số thuế|ma so thue|\bmst|mã số doanh nghiệp|ma so doanh nghiep|\btax)" + _GAP,
                          re.IGNORECASE)),
    (ID_NUMBER, re.compile(r"(?:cccd|cmnd|\bcmt|căn cước|can cuoc|chứng minh|chung minh|định danh|dinh danh|"
                           r"hộ chiếu|ho chieu|passport|\bid\b)" + _GAP, re.IGNORECASE)),
    (PHONE, re.compile(r"(?:sđt|\bsdt|điện thoại|dien thoai|\bđt|\bdt\b|gọi|\bgoi\b|zalo|phone|hotline|\btel\b)"
                       + _GAP, re.IGNORECASE)),
)


# a fee, not an account: "Phí: 15000000/loại Đồng", "lệ phí 15000000"
_MONEY_BEFORE = re.compile(r"(?<!\w)(?:phí|phi|giá|gia|tiền|tien|mức thu|muc thu|thu)\W{0,3}$", re.IGNORECASE)
_MONEY_AFTER = re.compile(rf"^[^\d\n]{{0,12}}{_CURRENCY}", re.IGNORECASE)


def _cue(before: str) -> str | None:
    """The kind of number the nearest cue before it announces ("MST", "số tài khoản", "CCCD", "sđt")."""
    found = [(m.start(), marker) for marker, pattern in _CUES if (m := pattern.search(before))]
    return max(found)[1] if found else None


_PRECISE = {PHONE, ID_NUMBER, TAX_CODE}


def _kind(chunks: list[str], intl: bool) -> str | None:
    """What a run of digits is, from its digits and shape alone; None for fewer than 8 digits."""
    digits = "".join(c for c in "".join(chunks) if c.isdigit())
    n = len(digits)
    if intl and digits[:1] in "235789" and n in (9, 10):
        return PHONE
    if (n == 10 and re.fullmatch(r"0[35789]\d{8}", digits)) or (n == 11 and digits.startswith("02")) \
            or (n in (11, 12) and digits.startswith("84")):  # 84912345678, 84-4-38723600
        return PHONE
    if n == 13 and len(chunks) == 1 and re.fullmatch(r"\d{10}-\d{3}", chunks[0]):
        return TAX_CODE  # a branch's tax code: 0101234567-001
    if n == 10 and digits[0] == "0":
        return TAX_CODE
    if n in (9, 12):
        return ID_NUMBER
    if 8 <= n:
        return ACCOUNT
    return None


def _segments(chunks: list[str], intl: bool) -> list[tuple[list[str], str | None]]:
    """Split a run into the parts to replace (with their marker) and the parts to keep (marker None)."""
    whole = _kind(chunks, intl)
    if len(chunks) > 1:
        first, rest = chunks[0], chunks[1:]
        # "năm 2025 0912345678", "1 0912345678": a year or a small number before a phone or ID is not part of it
        if (len(first) <= 2 or re.fullmatch(r"(?:19|20)\d{2}", first)) and whole not in _PRECISE \
                and _kind(rest, False) in _PRECISE:
            return [([first], None), *_segments(rest, False)]
    if whole in _PRECISE or len(chunks) == 1:
        return [(chunks, whole)]
    last, head = chunks[-1], chunks[:-1]
    if len(last) <= 3 and _kind(head, intl) in _PRECISE:  # "0912345678 2 lần"
        return [(head, _kind(head, intl)), ([last], None)]
    if sum(c.isdigit() for c in "".join(chunks)) > 26:  # longer than two numbers of a person side by side
        return [(chunks, whole)]
    for k in range(1, len(chunks)):  # two numbers side by side: "0912345678 0987654321"
        left, right = _kind(chunks[:k], intl), _kind(chunks[k:], False)
        if left in _PRECISE and right in _PRECISE:
            return [(chunks[:k], left), (chunks[k:], right)]
    return [(chunks, whole)]


def _number(match: re.Match[str]) -> str:
    if match.group("keep"):
        return match.group()
    if match.group("passport"):
        return ID_NUMBER
    run, intl = match.group("run"), bool(match.group("intl"))
    before = match.string[max(0, match.start() - 40):match.start()]
    pieces = re.split(f"({_SPACE})", run)
    chunks, gaps = pieces[::2], pieces[1::2]
    if len(chunks) == 1 and _kind(chunks, intl) == ACCOUNT and (
            _MONEY_BEFORE.search(before) or _MONEY_AFTER.search(match.string[match.end():match.end() + 20])):
        return match.group()
    cue = _cue(before)
    out, at = [], 0
    whole = cue == ACCOUNT and _kind(chunks, intl)  # account numbers come in any length and grouping
    for part, marker in [(chunks, ACCOUNT)] if whole else _segments(chunks, intl):
        if at:
            out.append(gaps[at - 1])
        if marker:
            out.append(cue or marker)
            cue = None  # a cue names the number right after it
        else:
            out.append(chunks[at] + "".join(gaps[i - 1] + chunks[i] for i in range(at + 1, at + len(part))))
        at += len(part)
    text = "".join(out)
    return text if not intl or text.startswith(PHONE) else match.group("intl") + text


# --- names ------------------------------------------------------------------------------------------------------
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_LOWER = "bcdđghklmnpqrstvx" + _VOWELS
_UPPER = _LOWER.upper()
_SYLLABLE = re.compile(rf"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?[{_VOWELS}]{{1,3}}"
                       r"(?:ch|ng|nh|[cmnpt])?")
_WORD = rf"(?:[{_UPPER}][{_LOWER}]{{0,6}})"
_CAPS_WORD = rf"(?:[{_UPPER}]{{2,7}})"
_FAMILY = ("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trương Lâm Mai Trịnh "
           "Đào Cao Lưu Hà Tạ Lương Tô Châu Quách Tăng Thái Kiều Vương Triệu Thân Khúc Mạc Phùng Chu Doãn "
           "Diệp Lại Nghiêm Hứa Tôn Nông Lò "
           # without diacritics, only those that are not also a common word ("Dang Ky", "Ho So", "Le Phi")
           "Nguyen Tran Pham Hoang Huynh Bui Ngo Duong Dinh Doan Truong Trinh Luong Quach Kieu Vuong Trieu").split()
_NAME_AFTER_FAMILY = re.compile(rf"(?<![\w])(?:{'|'.join(_FAMILY)})(?:{_SPACE}+{_WORD}){{1,3}}(?![\w])")
# "tên con là", "tên của tôi là"
_WHOSE = "(?: (?:của )?(?:tôi|con|cháu|bé|vợ|chồng|em|anh|chị|mẹ|bố|ông|bà)(?: tôi)?)?"
_WHOSE_PLAIN = "(?: (?:cua )?(?:toi|con|chau|be|vo|chong|em|anh|chi|me|bo|ong|ba)(?: toi)?)?"
_FORMAL_CUES = (rf"(?i:tên{_WHOSE} là|tôi là|tôi tên|con tôi tên|họ và tên|họ tên|ho va ten|ho ten|"
                rf"ten{_WHOSE_PLAIN} la|toi la|toi ten)")
_KIN_CUES = ("(?<!ghi )(?:ông|bà|anh|chị|cháu|(?<!trẻ )(?<!tre )(?<!anh )em|(?<!em )bé|cô|chú|bác|dì|cậu|mợ|thím|"
             "ong|chau)")
_NAME_AFTER_CUE = re.compile(rf"(?<![\w])(?:{_FORMAL_CUES}(?:{_SPACE}*:)?|{_KIN_CUES}){_SPACE}+"
                             rf"(?P<name>(?:{_WORD}|{_CAPS_WORD})(?:{_SPACE}+(?:{_WORD}|{_CAPS_WORD})){{0,3}})(?![\w])")
# typed without capitals ("toi ten la nguyen van binh"): after a cue, a family name that is no common word, then
# up to three syllables that are not the sentence going on
_PLAIN_FAMILY = ("nguyễn trần phạm hoàng huỳnh phan vũ võ đặng bùi đỗ ngô dương đinh đoàn trương trịnh lương "
                 "nguyen tran pham hoang huynh bui ngo duong dinh doan truong trinh luong").split()
_NOT_IN_NAME = set("sinh muốn hỏi cần làm đã có là ở đang bị xin được nhé ạ và với thì mà của cho đi về tại năm ngày "
                   "quê hiện nay thường tạm con vợ chồng bố mẹ nay đến từ nên phải không "
                   "muon hoi can lam da co la o dang bi duoc nhe va voi thi ma cua di ve tai nam ngay que hien "
                   "thuong tam vo chong bo me den tu nen phai khong".split())
_PLAIN_NAME_AFTER_CUE = re.compile(rf"(?<![\w]){_FORMAL_CUES}(?:{_SPACE}*:)?{_SPACE}+"
                                   rf"(?P<name>(?:{'|'.join(_PLAIN_FAMILY)})(?:{_SPACE}+[{_LOWER}]{{1,7}}){{1,3}})(?![\w])")
# a word right before that makes what follows a place, a street or an organisation, not a person
_PLACE_BEFORE = re.compile(
    r"(?<!\w)(?:đường|phố|số|ngõ|ngách|hẻm|kiệt|thôn|xóm|ấp|bản|buôn|làng|tổ|khu|khóm|xã|phường|quận|huyện|"
    r"tỉnh|thành phố|tp\.?|thị xã|thị trấn|đặc khu|trường|bệnh viện|chợ|cầu|sông|hồ|đảo|cảng|sân bay|nhà thờ|"
    r"chùa|đền|ở|tại|duong|pho|so|ngo|hem|thon|xom|xa|phuong|quan|huyen|tinh|thanh pho|thi xa|thi tran|"
    r"truong|benh vien|o|tai)[\s,.:]*$|\d[\s,]*$",
    re.IGNORECASE,
)
# places and bodies that begin like a name
_NOT_NAMES = {
    w.casefold() for w in (
        "Hà Nội", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hà Đông", "Hà Tiên", "Hà Trung", "Hà Quảng", "Cao Bằng",
        "Cao Lãnh", "Lâm Đồng", "Lâm Hà", "Thái Bình", "Thái Nguyên", "Thái Lan", "Thái Bình Dương", "Hồ Chí Minh",
        "Hồ Tây", "Hồ Gươm", "Hoàng Sa", "Hoàng Mai", "Hoàng Hóa", "Châu Âu", "Châu Á", "Châu Phi", "Châu Mỹ",
        "Châu Úc", "Châu Đại Dương", "Châu Đốc", "Châu Thành", "Châu Phú", "Phan Thiết", "Phan Rang", "Phan Rí",
        "Lý Sơn", "Lê Chân", "Ngô Quyền", "Mai Châu", "Mai Sơn", "Trần Văn Thời", "Đoàn Thanh", "Đoàn Kết",
        "Giang Thành", "Ninh Bình", "Ninh Thuận", "Ninh Kiều", "Ninh Hòa", "Tô Lịch", "Văn Lâm", "Văn Giang",
        "Văn Yên", "Văn Chấn", "Văn Bàn", "Văn Quan", "Văn Lãng", "Văn Điển", "Văn Miếu", "Văn Phòng", "Đào Tạo",
        "Lương Sơn", "Lương Tài", "Tăng Bạt Hổ", "Hứa Hẹn", "Âu Cơ", "Kiều Bào", "Mạc Thị Bưởi", "Chu Lai",
        "Chu Sê", "Chu Prông", "Chu Păh", "Nông Cống", "Nông Sơn", "Nông Nghiệp", "Lại Giang", "Diệp Minh Châu",
        "Phùng Hưng", "Dương Minh Châu", "Dương Kinh", "Đinh Lập", "Đinh Quán", "Hồ Núi Cốc", "Thân Nhân",
        "Ho Chi Minh", "Ha Noi", "Hanoi", "Thai Lan", "Thai Nguyen", "Thai Binh", "Cao Bang", "Lam Dong",
        "Ninh Binh", "Ninh Thuan", "Hoang Sa", "Dinh Lap",
        # countries and peoples
        "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Việt Nam", "Đài Loan", "Hồng Kông", "Ma Cao", "Lào", "Campuchia",
        "Mỹ", "Hoa Kỳ", "Pháp", "Đức", "Nga", "Úc", "Anh Quốc", "Ấn Độ", "Trung Quoc", "Han Quoc", "Nhat Ban",
        "Viet Nam", "Dai Loan",
        # people whose names streets, wards and schools carry
        "Lê Lợi", "Lê Lai", "Lê Duẩn", "Lê Hồng Phong", "Lê Quý Đôn", "Lê Thánh Tông", "Lê Văn Sỹ", "Lê Đại Hành",
        "Lý Thường Kiệt", "Lý Thái Tổ", "Lý Tự Trọng", "Lý Nam Đế", "Nguyễn Trãi", "Nguyễn Huệ", "Nguyễn Du",
        "Nguyễn Thái Học", "Nguyễn Văn Cừ", "Nguyễn Văn Linh", "Nguyễn Thị Minh Khai", "Nguyễn Tất Thành",
        "Nguyễn Trung Trực", "Nguyễn Đình Chiểu", "Nguyễn Chí Thanh", "Nguyễn Văn Trỗi", "Nguyễn Sinh Cung",
        "Trần Hưng Đạo", "Trần Phú", "Trần Quốc Toản", "Trần Nhân Tông", "Trần Duy Hưng", "Trần Quang Khải",
        "Phan Chu Trinh", "Phan Bội Châu", "Phan Đình Phùng", "Phan Văn Trị", "Hoàng Diệu", "Hoàng Hoa Thám",
        "Hoàng Văn Thụ", "Võ Thị Sáu", "Võ Văn Kiệt", "Võ Nguyên Giáp", "Phạm Văn Đồng", "Phạm Ngũ Lão",
        "Phạm Hùng", "Tôn Đức Thắng", "Hồ Tùng Mậu", "Hồ Xuân Hương", "Ngô Gia Tự", "Ngô Mây", "Đinh Tiên Hoàng",
        "Đinh Bộ Lĩnh", "Bùi Thị Xuân", "Hà Huy Tập", "Mai Hắc Đế", "Lương Thế Vinh", "Chu Văn An", "Tô Hiến Thành",
        "Huỳnh Thúc Kháng", "Trương Định", "Đào Duy Từ", "Hai Bà Trưng", "Dương Đình Nghệ",
        # bodies
        "Đoàn Luật", "Đoàn Điều", "Đoàn Kinh", "Đoàn Kiểm", "Đoàn Công", "Đoàn Thanh", "Vương Quốc",
    )
}
_NOT_GIVEN = {"Việt", "Kiều", "Đảng", "Nhà", "Nước"}


def _is_syllable(word: str) -> bool:
    return bool(_SYLLABLE.fullmatch(word.lower()))


_PREVIOUS_WORD = re.compile(r"(\w+)[ \u00a0]+$")
_CUE_CAPITALISED = {"Ông", "Bà", "Anh", "Chị", "Em", "Cháu", "Cô", "Chú", "Bác", "Tôi", "Con", "Vợ", "Chồng", "Là",
                    "Tên", "Gửi", "Chào", "Kính"}


def _is_place(text: str, start: int, words: list[str]) -> bool:
    before = text[max(0, start - 24):start]
    if _PLACE_BEFORE.search(before):
        return True
    previous = _PREVIOUS_WORD.search(before)  # "Xã Tam Dương Bắc": the middle of a longer proper name
    if previous and previous.group(1)[:1].isupper() and previous.group(1) not in _CUE_CAPITALISED:
        return True
    phrase = " ".join(words).casefold()
    return any(phrase == p or phrase.startswith(p + " ") for p in _NOT_NAMES)


def _given(words: list[str]) -> list[str]:
    """The leading words that can be a Vietnamese given name: syllables, a lone initial only after one ("Văn A")."""
    given: list[str] = []
    for word in words:
        initial = len(word) == 1 and word.isupper() and bool(given)  # "Nguyễn Văn A"
        if not (initial or (len(word) > 1 and _is_syllable(word))) or word in _NOT_GIVEN:
            break
        given.append(word)
    if given and all(w.isupper() for w in given) and len(given) < 2:  # "tôi là AI": an acronym, not a name
        return []
    return given


def _name_after_family(match: re.Match[str]) -> str:
    words = match.group().split()
    given = _given(words[1:])
    if not given or _is_place(match.string, match.start(), words):
        return match.group()
    rest = words[1 + len(given):]
    return NAME + ("" if not rest else " " + " ".join(rest))


def _name_after_cue(match: re.Match[str]) -> str:
    words = match.group("name").split()
    name = _given(words)
    if not name or _is_place(match.string, match.start("name"), words):
        return match.group()
    start = match.start("name") - match.start()
    rest = words[len(name):]
    return match.group()[:start] + NAME + ("" if not rest else " " + " ".join(rest))


def _plain_name_after_cue(match: re.Match[str]) -> str:
    words = match.group("name").split()
    given = []
    for word in words[1:]:
        if word in _NOT_IN_NAME or not _is_syllable(word):
            break
        given.append(word)
    if not given:
        return match.group()
    rest = words[1 + len(given):]
    return match.group()[:match.start("name") - match.start()] + NAME + ("" if not rest else " " + " ".join(rest))


def redact(text: str) -> str:
    """`text` with personal data replaced by markers ([số điện thoại], [họ tên], …); everything else as it was."""
    text = _EMAIL.sub(EMAIL, text)
    text = _NUMBERS.sub(_number, text)
    text = _NAME_AFTER_FAMILY.sub(_name_after_family, text)
    text = _NAME_AFTER_CUE.sub(_name_after_cue, text)
    return _PLAIN_NAME_AFTER_CUE.sub(_plain_name_after_cue, text)


def redact_url(path: str) -> str:
    """A request target for a log line: the path and every query value redacted, decoded so that an encoded
    e-mail or name is seen, and written back with nothing that could break or forge a log line."""
    path, sep, query = path.partition("?")
    clean = _log_safe(redact(unquote(path)))  # in a path '+' is a plus sign
    if not sep:
        return clean
    pairs = []
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        pairs.append(_log_safe(unquote_plus(key)) + eq + _log_safe(redact(unquote_plus(value))))
    return clean + "?" + "&".join(pairs)


def _log_safe(text: str) -> str:
    """Spaces as '+', and controls, separators, quotes and '%' percent-encoded; letters stay readable."""
    return re.sub(r'[\x00-\x1f\x7f-\x9f%&=+#"\\\u2028\u2029]|\s',
                  lambda m: "+" if m.group() == " " else "".join(f"%{b:02X}" for b in m.group().encode()), text)
