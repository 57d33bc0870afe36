"""From what a citizen types to what the index understands.

- fold diacritics and fix common typos and chat shorthand ("j" -> "gì", "tạm chú" -> "tạm trú");
- map everyday words to official terms ("hộ khẩu" -> "thường trú", "sổ đỏ" -> "giấy chứng nhận ...");
- map a small English/German glossary onto Vietnamese terms, for the keyword index;
- spot questions that are out of scope or try to change the bot's instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold

# Folded single tokens: chat shorthand and common typos.
_TOKEN_FIX = {
    "j": "gi", "ji": "gi", "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong",
    "dc": "duoc", "dk": "dang ky", "dky": "dang ky", "bn": "bao nhieu", "bnhieu": "bao nhieu",
    "ntn": "nhu the nao", "mk": "minh", "e": "em", "cccd": "can cuoc", "cmnd": "can cuoc", "cmt": "can cuoc",
    "bhyt": "bao hiem y te", "bhxh": "bao hiem xa hoi", "gplx": "giay phep lai xe", "ubnd": "uy ban nhan dan",
    "xinh": "sinh", "onl": "truc tuyen", "online": "truc tuyen", "vneid": "vneid",
}

# Folded phrase -> official folded terms appended to the query (order matters: longest first).
SYNONYMS: list[tuple[str, str]] = [
    ("tam chu", "tam tru"), ("thuong chu", "thuong tru"), ("tuong tru", "thuong tru"),
    ("khai xinh", "khai sinh"), ("giay khai xinh", "khai sinh"), ("giay chung xinh", "giay chung sinh"),
    ("nhap ho khau", "dang ky thuong tru"), ("ho khau", "thuong tru cu tru"), ("so ho khau", "thuong tru"),
    ("cat khau", "xoa dang ky thuong tru"), ("xoa ho khau", "xoa dang ky thuong tru"),
    ("so do", "giay chung nhan quyen su dung dat"), ("so hong", "giay chung nhan quyen su dung dat nha o"),
    ("bia do", "giay chung nhan quyen su dung dat"), ("giay to dat", "giay chung nhan quyen su dung dat"),
    ("sang ten", "chuyen nhuong dang ky bien dong"), ("mua ban dat", "chuyen nhuong quyen su dung dat"),
    ("bi mat", "cap lai"), ("lam lai", "cap lai"), ("mat can cuoc", "cap lai the can cuoc"),
    ("het han", "cap doi"), ("sai thong tin", "cap doi dinh chinh"), ("doi sang", "cap doi"), ("lan dau", "cap"),
    ("tach so", "tach thua"), ("chia dat", "tach thua"), ("mat so", "cap lai giay chung nhan bi mat"),
    ("giay bao tu", "khai tu"), ("bao tu", "khai tu"), ("chet", "khai tu"), ("qua doi", "khai tu"),
    ("mat roi", "khai tu"), ("tu tran", "khai tu"), ("bo toi mat", "khai tu"), ("me toi mat", "khai tu"),
    ("ong mat", "khai tu"), ("ba mat", "khai tu"), ("nguoi nha mat", "khai tu"), ("giay chung tu", "khai tu"),
    ("moi de", "khai sinh"), ("moi sinh", "khai sinh"), ("sinh con", "khai sinh"), ("em be", "khai sinh tre em"),
    ("lay vo", "ket hon"), ("lay chong", "ket hon"), ("cuoi vo", "ket hon"), ("cuoi chong", "ket hon"),
    ("doc than", "xac nhan tinh trang hon nhan"), ("chua vo", "xac nhan tinh trang hon nhan"),
    ("chua chong", "xac nhan tinh trang hon nhan"),
    ("cong chung", "chung thuc"), ("sao y", "chung thuc ban sao tu ban chinh"),
    ("photo cong chung", "chung thuc ban sao"), ("chung thuc chu ky", "chung thuc chu ky"),
    ("chung minh thu", "can cuoc"), ("chung minh nhan dan", "can cuoc"), ("can cuoc cong dan", "can cuoc"),
    ("the can cuoc", "can cuoc"), ("lam can cuoc", "cap the can cuoc"),
    ("tro cap nguoi gia", "tro cap xa hoi hang thang nguoi cao tuoi"), ("nguoi gia", "nguoi cao tuoi"),
    ("cu gia", "nguoi cao tuoi"), ("ong ba gia", "nguoi cao tuoi"), ("luong gia", "tro cap nguoi cao tuoi"),
    ("tan tat", "khuyet tat"), ("mo coi", "tre em mo coi tro cap xa hoi"),
    ("me don than", "nuoi con mot minh ho ngheo tro cap"), ("bo don than", "nuoi con mot minh ho ngheo tro cap"),
    ("tien ma chay", "ho tro chi phi mai tang"), ("an tang", "mai tang"), ("chon cat", "mai tang"),
    ("di bo doi", "nghia vu quan su"), ("di linh", "nghia vu quan su"), ("nghia vu", "nghia vu quan su"),
    ("liet si", "nguoi co cong liet si"), ("thuong binh", "nguoi co cong thuong binh"),
    ("bang lai", "giay phep lai xe"), ("xay nha", "giay phep xay dung"), ("sua nha", "giay phep xay dung"),
    ("ho ngheo", "ho ngheo"), ("so ngheo", "ho ngheo"), ("can ngheo", "ho can ngheo"),
    ("kinh doanh ca the", "ho kinh doanh"), ("mo quan", "dang ky ho kinh doanh"),
    ("the bao hiem", "bao hiem y te"), ("bao hiem y te", "bao hiem y te"),
    ("nop online", "truc tuyen"), ("nop qua mang", "truc tuyen"), ("dich vu cong", "truc tuyen"),
    ("chinh quyen hai cap", "chinh quyen dia phuong hai cap"), ("sap nhap", "chinh quyen hai cap sap xep"),
    ("tai khoan dinh danh", "dinh danh dien tu vneid"), ("muc 2", "dinh danh dien tu muc do 2"),
    # English and German glossary, for the keyword index (the embedder is multilingual already)
    ("birth certificate", "khai sinh"), ("birth", "khai sinh"), ("newborn", "khai sinh"), ("baby", "khai sinh"),
    ("register a birth", "dang ky khai sinh"), ("marriage", "ket hon"), ("marry", "ket hon"),
    ("married", "ket hon"), ("death", "khai tu"), ("died", "khai tu"), ("funeral", "mai tang"),
    ("permanent residence", "thuong tru"), ("temporary residence", "tam tru"), ("residence", "cu tru"),
    ("id card", "can cuoc"), ("identity card", "can cuoc"), ("land use", "quyen su dung dat"),
    ("land certificate", "giay chung nhan quyen su dung dat"), ("red book", "giay chung nhan quyen su dung dat"),
    ("health insurance", "bao hiem y te"), ("certified copy", "chung thuc ban sao"), ("certify", "chung thuc"),
    ("military service", "nghia vu quan su"), ("disability", "khuyet tat"), ("disabled", "khuyet tat"),
    ("allowance", "tro cap"), ("elderly", "nguoi cao tuoi"), ("orphan", "mo coi"),
    ("single status", "xac nhan tinh trang hon nhan"), ("marital status", "xac nhan tinh trang hon nhan"),
    ("household business", "ho kinh doanh"), ("business", "kinh doanh"), ("meritorious", "nguoi co cong"),
    ("war invalid", "thuong binh"), ("martyr", "liet si"), ("reform", "chinh quyen hai cap"),
    ("submit", "nop ho so"), ("lost", "cap lai bi mat"), ("replace", "cap lai"), ("renew", "cap doi"),
    ("copy", "ban sao"), ("diploma", "ban sao bang"), ("signature", "chung thuc chu ky"),
    ("building permit", "giay phep xay dung"), ("poor household", "ho ngheo"), ("guardian", "giam ho"),
    ("adopt", "nuoi con nuoi"), ("kopie", "ban sao"), ("unterschrift", "chung thuc chu ky"),
    ("geburtsurkunde", "khai sinh"), ("geburt", "khai sinh"), ("heirat", "ket hon"), ("heiraten", "ket hon"),
    ("ehe", "ket hon"), ("wohnsitz", "thuong tru"), ("personalausweis", "can cuoc"), ("sterbeurkunde", "khai tu"),
    ("beglaubigung", "chung thuc"), ("krankenversicherung", "bao hiem y te"),
]

# Patterns of questions the bot must not answer as procedures (folded text).
_OUT_OF_SCOPE = [
    r"\bthoi tiet\b", r"\bgia vang\b", r"\bvang (sjc|9999|mieng)\b", r"\bbong da\b", r"\bworld cup\b",
    r"\b(lam|viet|sang tac|doc) (mot )?(bai )?tho\b", r"\bbai tho\b", r"\bke (mot )?chuyen\b", r"\bchuyen cuoi\b",
    r"\bti so\b", r"\bxo so\b", r"\bket qua (xo so|bong da)\b", r"\bcong thuc nau\b", r"\bnau (an|mon)\b",
    r"\bweather\b", r"\bgold price\b", r"\bfootball\b", r"\bsoccer\b", r"\bpoem\b", r"\bjoke\b", r"\brecipe\b",
    r"\bbitcoin\b", r"\bchung khoan hom nay\b", r"\bgia (xang|usd|do la)\b", r"\bwetter\b", r"\bgedicht\b",
    r"\bfussball\b", r"\bgoldpreis\b", r"\bca si\b", r"\bphim\b", r"\bbai hat\b", r"\ban gi\b",
    r"\b(giai|tinh) (phuong trinh|bai toan)\b", r"\bdich (cau|doan|bai|sang)\b", r"\btranslate\b",
    r"\bchoi chung khoan\b", r"\bco phieu\b", r"\bty gia\b", r"\bexchange rate\b",
]
_INJECTION = [
    r"\bignore\b.*\b(instruction|previous|above|rules)", r"\bdisregard\b", r"\bsystem prompt\b",
    r"\bjailbreak\b", r"\byou are now\b", r"\bpretend\b", r"\bdeveloper mode\b", r"\bdan mode\b",
    r"\bbo qua\b.*\b(huong dan|chi dan|chi thi|lenh|quy tac|yeu cau truoc)", r"\bquen\b.*\b(huong dan|chi thi|quy tac)",
    r"\bprompt\b", r"\bvai tro moi\b", r"\bdong vai\b", r"\btu bay gio ban la\b", r"\bvergiss\b.*\banweisung",
    r"\bignoriere\b",
]
# Emergencies and complaints: pointed to the right channel, never answered as a procedure.
_EMERGENCY = [r"\bcap cuu\b", r"\bchay nha\b", r"\bhoa hoan\b", r"\bdang chay\b", r"\bbi (danh|cuop|de doa|bat coc)\b",
              r"\bdanh nhau\b", r"\bcuu (voi|toi|em|con|me)\b", r"\bdot nha\b",
              r"\bemergency\b", r"\bfire\b", r"\bambulance\b"]
_SCAM = [r"\blua dao\b", r"\bbi lua\b", r"\bgia danh\b", r"\bchiem doat\b", r"\bscam\b", r"\bfraud\b",
         r"\bcuop tien\b", r"\bmat tien\b.*\b(chuyen khoan|tai khoan)\b"]
_COMPLAINT = [r"\bkhieu nai\b", r"\bto cao\b", r"\bphan anh\b.*\bcan bo\b", r"\bcan bo\b.*\b(gay kho|hach dich|"
              r"thai do|voi tien|nhan tien|boi doi|lam kho|khong giai quyet|tre hen)\b", r"\btre hen\b", r"\bcomplain"]
_OOS_RE = re.compile("|".join(_OUT_OF_SCOPE))
_EMERGENCY_RE = re.compile("|".join(_EMERGENCY))
_SCAM_RE = re.compile("|".join(_SCAM))
_COMPLAINT_RE = re.compile("|".join(_COMPLAINT))
_INJ_RE = re.compile("|".join(_INJECTION))
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Query:
    text: str  # as the user wrote it, cleaned
    folded: str  # typo-fixed, folded
    expanded: str  # folded plus official terms
    blocked: str  # "", "out_of_scope" or "injection"


def fix_tokens(folded: str) -> str:
    return " ".join(_TOKEN_FIX.get(tok, tok) for tok in _TOKEN_RE.findall(folded))


def expand(folded: str) -> str:
    extra: list[str] = []
    padded = f" {folded} "
    for phrase, official in SYNONYMS:
        if f" {phrase} " in padded and official not in extra:
            extra.append(official)
    return folded + (" " + " ".join(extra) if extra else "")


def blocked_reason(folded: str) -> str:
    if _INJ_RE.search(folded):
        return "injection"
    if _EMERGENCY_RE.search(folded):
        return "emergency"
    if _SCAM_RE.search(folded):
        return "scam"
    if _COMPLAINT_RE.search(folded):
        return "complaint"
    if _OOS_RE.search(folded):
        return "out_of_scope"
    return ""


def parse_query(text: str) -> Query:
    folded = fix_tokens(fold(text))
    return Query(text=text, folded=folded, expanded=expand(folded), blocked=blocked_reason(folded))
