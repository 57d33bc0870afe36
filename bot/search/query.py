"""From what a citizen types to what the index understands.

- fold diacritics, fix chat shorthand and typos, read ambiguous words in context, and add the official terms
  of everyday words: all from the lexicon (`bot.search.lexicon`, data in knowledge/lexicon.yaml);
- spot questions that are out of scope, ask for something else, or try to change the bot's instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.lexicon import Lexicon
from bot.text import fold

# Patterns of questions the bot must not answer as procedures (folded text).
_OUT_OF_SCOPE = [
    r"\bthoi tiet\b", r"\bgia vang\b", r"\bvang (sjc|9999|mieng)\b", r"\bbong da\b", r"\bworld cup\b",
    r"\b(lam|viet|sang tac|doc) (mot )?(bai )?tho\b", r"\bbai tho\b", r"\bke (mot )?chuyen\b", r"\bchuyen cuoi\b",
    r"\bti so\b", r"\bket qua (xo so|bong da)\b", r"\bcong thuc nau\b", r"\bnau (an|mon)\b",
    r"^(?!.*\bthue\b).*\bxo so\b",  # not a lottery company's or a winner's tax
    r"\bweather\b", r"\bgold price\b", r"\bfootball\b", r"\bsoccer\b", r"\bpoem\b", r"\bjoke\b", r"\brecipe\b",
    r"\bbitcoin\b", r"\bchung khoan hom nay\b", r"\bgia (xang|usd|do la)\b", r"\bwetter\b", r"\bgedicht\b",
    r"\bfussball\b", r"\bgoldpreis\b", r"\bca si\b", r"(?<!quay )\bphim\b", r"\bbai hat\b",
    r"(?<!de )(?<!du )(?<!ban )(?<!vu )(?<!phuong )(?<!benh )\ban gi\b",  # not "đề án / phương án gì"
    r"\b(giai|tinh) (phuong trinh|bai toan)\b", r"\bdich (cau|doan|bai|sang|giup|gium|ho(?! so)|dum)\b",
    r"\btranslate\b",
    r"\bchoi chung khoan\b", r"^(?!.*\b(thue|tncn)\b).*\b(mua|ban|choi|dau tu|gia) co phieu\b",
    r"\bco phieu (nao|gi|hom nay|tang|giam)\b", r"\bty gia\b", r"\bexchange rate\b",
    r"\b(ha sot|uong thuoc|giam can|dau dau|dau bung|thuoc gi)\b", r"(?<!kham )\bchua benh\b",  # not BHYT's
    r"\b(de|muon|cach|lam sao|giup) tang can\b", r"\btang can (nhanh|hieu qua|an toan)\b",  # not "gia tăng cần"
    r"(?<!ho tro )(?<!bu )\blai suat\b",  # not the State's "hỗ trợ / bù lãi suất"
    r"\bhoc tieng (anh|trung|han|nhat)\b", r"\bnen mua\b", r"\b(mua|chon) xe nao\b",
    r"\b(buon qua|noi chuyen voi toi|tam su)\b", r"\b(fever|medicine|lose weight|interest rate)\b",
    r"\b(on a|keto|low[- ]carb) diet\b", r"\bdiet (plan|tips)\b",  # not "diet": folded "diệt" (tiêu diệt)
    # prices and picks among private sellers: "giá lăn bánh", "bao nhiêu 1 m2", "bên nào rẻ", "tiệm nào"
    r"\bgia lan banh\b", r"\bbao nhieu (1|mot) ?m2\b", r"\btiem nao\b",
    r"\b(ben|hang|cho|quan|cong ty|ngan hang|benh vien|phong kham|truong|nha mang) nao (re|tot|uy tin|ngon|dep)",
    r"\b(tang luong|xin sep)\b(?!.*\b(bhxh|bao hiem|muc dong)\b)",
    # advice on food, health or travel safety; the bot itself; products to buy; talking someone round
    r"\b(is it|is this|it is) (safe|healthy) to (eat|drink|take|swim|travel)\b",
    r"\bnguoi that hay (may|bot|ai|robot)\b", r"\bare you (a )?(real )?(human|person|robot|bot)\b",
    r"\brecommend (me )?(a |an |some |the )?(good |cheap |best )?(laptop|phone|car|motorbike|restaurant|hotel|"
    r"book|movie|brand|app)s?\b",
    r"\b(sao cho kheo|cho kheo leo|cho do (cang|ngai|mat long))\b",
]
_INJECTION = [
    r"\bignore\b.*\b(instruction|previous|above|rules)", r"\bdisregard\b", r"\bsystem prompt\b",
    r"\bjailbreak\b", r"\byou are now\b", r"\bpretend\b", r"\bdeveloper mode\b", r"\bdan mode\b",
    r"\bbo qua\b.*\b(huong dan|chi dan|chi thi|lenh|quy tac|yeu cau truoc)", r"\bquen\b.*\b(huong dan|chi thi|quy tac)",
    r"\bprompt\b", r"\byou are dan\b", r"\bno (rules|restrictions|limits|filters)\b",
    r"\bvai tro moi\b", r"\btu bay gio ban la\b", r"\bvergiss\b.*\banweisung",
    r"\bdong vai\b(?! (thang|ngay|tuan|nam|lan))",  # not "hoạt động vài tháng"
    r"\bignoriere\b", r"\b(system|admin|developer) (message|note|override|instructions?)\b",
    r"\b(the |this )?(assistant|bot|ai|model) (must|should|will) (now|from now|always|only)\b",
    r"\bbreak (your|the) rules\b",
    r"\b(rules|instructions|guidelines|directives)\b.*\b(you were|you ve been|you have been|were you) (given|told)\b",
]
# Emergencies and complaints: pointed to the right channel, never answered as a procedure.
_EMERGENCY = [r"\bcap cuu\b", r"\bchay nha\b", r"\bhoa hoan\b", r"\bbi (danh(?! (thue|may|so))|cuop|de doa|bat coc)\b",
              r"\bdang chay\b(?! tren)",  # not a boat running on a river
              r"\bdanh nhau\b", r"\bcuu (voi|toi|em|con|me)\b", r"\bdot nha\b",
              r"\bemergency\b", r"\bfire\b", r"\bambulance\b"]
_SCAM = [r"\blua dao\b", r"\bbi lua\b", r"\bgia danh\b", r"\bchiem doat\b", r"\bscam\b", r"\bfraud\b",
         r"\bcuop tien\b", r"\bmat tien\b.*\b(chuyen khoan|tai khoan)\b"]
_COMPLAINT = [r"\bkhieu nai\b", r"\bto cao\b", r"\bphan anh\b.*\bcan bo\b", r"\bcan bo\b.*\b(gay kho|hach dich|"
              r"thai do|voi tien|nhan tien|boi doi|lam kho|khong giai quyet|tre hen)\b", r"\btre hen\b", r"\bcomplain"]
# Forging papers: refused, with the reason that it is a crime.
_FORGERY = [r"\blam gia\b(?! cong)", r"\bgia mao\b",
            r"\b(giay to|con dau|ho so|bang cap|giay khai sinh|can cuoc|so do) gia\b(?! (dinh|bao))", r"\bforge",
            r"\bfake (an? |the )?([a-z]+ ){0,2}(id|document|certificate|confirmation|paper|birth|passport|diploma|"
            r"stamp|seal)", r"\b(so it|so that it|to make it) looks? (real|official|genuine)\b",
            r"\bfalsch", r"\bfalsif",
            # made-up details on a form, or changes "without being found out"
            r"\btu bia\b", r"\bbia (ra|ten|thong tin|so lieu)\b", r"\bkhong (bi|de) (ai )?phat hien\b",
            r"(?<!to )\bkhai khong\b"]  # not "tờ khai không"
# Bribes: refused, with the reason that offering one is a crime.
_BRIBERY = [r"\b(hoi lo|dut lot|boi duong|lot tay|chung chi|phong bi)\b.*\b(can bo|cong chuc|cho nhanh|de duoc)\b",
            r"\b(dua|bao nhieu tien) (hoi lo|dut lot|lot tay)\b", r"\bbribe", r"\bbestech", r"\btip you\b",
            r"\b(chuyen|gui|dua) (khoan )?\d+ ?(trieu|tr|tram|k)\b.*\b(len dau|uu tien|cho nhanh|khong can du)\b"]
# Requests to do something other than answer about procedures: write code, repeat text, draft official papers.
_OTHER_TASK = [r"\bviet (ma|code|chuong trinh|doan ma|script|bai van|bai luan|van mau)\b",
               r"\b(python|javascript|java|php|sql|html|c\+\+)\b", r"\btan cong\b", r"\bhack", r"\bddos\b",
               r"\brepeat\b", r"\bforever\b", r"\blap (lai|di lap lai)\b.*\b(mai|lien tuc|nhieu lan|\d+ lan)\b",
               r"\b(lap|nhac|noi|chep) lai (chinh xac|nguyen van|y nguyen|y chang|dung tung chu)\b",
               r"\bviet (giup |gium |ho |dum )?((minh|em|toi|tui|chi|anh) )?(cai |mot |1 )?(cv|thu xin viec|"
               r"bai thuyet trinh)\b",
               r"\b(give|make|create) me (a |an )?([a-z0-9-]+ ){0,4}(plan|schedule|itinerary|workout|diet|list)\b",
               r"\bsoan (thao )?((giup|gium|ho|cho) )?((minh|em|toi|tui) )?(mot |1 )?"
               r"(quyet dinh|cong van|to trinh|nghi quyet|van ban hanh chinh)\b",
               r"\bthay mat (chu tich|uy ban|ubnd)\b",
               r"\bviet (giup |gium |ho |cho )?((minh|em|toi|tui|chi|anh) )?(mot |1 )?(bai dang|bai tho|doan van|"
               r"bai quang cao|doan quang cao|loi chuc|status|caption|email)\b",
               r"\b\d+ (times|plus|minus|divided by|multiplied by) \d+\b",
               r"\b(write|compose|create|generate)( me| us)? (a |an |some |\d+ )?([a-z]+ ){0,3}(code|program|script|"
               r"poem|essay|story|song|ad|advert[a-z]*|caption|speech|toast|slogan|password|tweet)s?\b",
               r"\bwrite (me )?(a |an |some )?letter", r"\bdraft (a |an |the )?(decision|decree|resolution|official)",
               r"\bschreib", r"\b(mail|e-mail|brief|text)\b.*\bverbessern\b",
               # drafting private papers, letters to companies
               r"\bsoan (thao )?((giup|gium|ho|cho) )?((minh|em|toi|tui) )?(mot |1 )?(ban )?(hop dong|bai phat bieu)\b",
               r"\bviet (giup |gium |ho |dum )?((minh|em|toi|tui) )?(mot |1 )?(don|thu|la don)\b.*"
               r"\b(ngan hang|cong ty|cua hang|chu nha|sep|nha mang)\b",
               # someone else's personal data
               r"\btra (giup |gium |ho |cuu )?.*\b(so cccd|so can cuoc|so dien thoai|dia chi)\b"
               r".*\b(hang xom|nguoi khac)\b",
               r"\bwithout (him|her|them|my [a-z-]+) knowing\b"]
# Another country's own procedures: its passports, visas, licences and benefits. Vietnam's procedures for people
# abroad or for foreigners (consular legalisation, a marriage with a foreigner, a foreign licence exchanged for a
# Vietnamese one) name Vietnam, a Vietnamese office or a Vietnamese paper, and are not caught (_VIETNAM).
_COUNTRY = (r"(my|hoa ky|nhat|nhat ban|han quoc|uc|duc|phap|anh quoc|canada|dai loan|singapore|thai lan|trung quoc|"
            r"nga|malaysia|ha lan|new zealand|ba lan|sec|seoul|tokyo|osaka|berlin|london|sydney|melbourne|paris|"
            r"toronto|california|texas|dai bac)")
# benefits, registrations and numbers that exist only in another country
_ABROAD_ONLY = re.compile(
    r"\b(medicare|council tax|social insurance number|social security( number)?|nenkin|anmeldung|buergeramt|"
    r"burgeramt|green card|the xanh my|my number card|dmv|jobcenter|kindergeld|centrelink|"
    r"tax file number|zairyu|the cu tru (nhat|han quoc|dai loan))\b")
# that country's passport, visa or driving licence, asked for or renewed
_ABROAD_PAPERS = re.compile("|".join([
    r"\b(ho chieu|visa|thi thuc|bang lai( xe)?|giay phep lai xe)( (du lich|du hoc|lao dong|dinh cu|ket hon))? "
    r"(cua )?" + _COUNTRY + r"\b",
    r"\b(uk|us|u\.s\.|american|british|australian|canadian|german|japanese|korean|french) "
    r"(passport|visa|driver'?s? licen[cs]e|driving licen[cs]e)\b",
    r"\b(personalausweis|reisepass|fuhrerschein|aufenthaltstitel)\b",
    r"\b(o|ben|tai) " + _COUNTRY + r"\b.*\b(visa|thi thuc|vinh tru|the cu tru)\b",  # "ở Nhật xin visa vĩnh trú"
]))
# A private company's own service: an online shop's refund, an e-wallet or ride-hailing account, a bank's consumer
# loan, a life insurer's claim, a private clinic's booking. The State's side of such matters (business registration,
# tax, a mortgage's registration, social insurance) names it and is not caught (_STATE).
_PRIVATE = re.compile("|".join([
    r"\b(shopee|lazada|tiki|tiktok shop|grab|gojek|momo|zalopay|shopeepay|viettelpay|vnpay|paypal|amazon|ebay|"
    r"uber|netflix)\b.*\b(hoan tien|tra hang|doi hang|giao (sai|thieu|nham)|bi khoa|mo khoa|mo lai|bi tru tien|"
    r"refund|charged|money back|cancel)",
    r"\b(hoan tien|tra hang|bi khoa|mo khoa|refund|charged)\b.*\b(shopee|lazada|tiki|grab|gojek|momo|zalopay|"
    r"shopeepay|paypal|amazon|ebay|uber)\b",
    r"\bvay (tin chap|tieu dung|nong|qua app)\b", r"\b(bao hiem nhan tho|prudential|manulife|dai-ichi)\b",
    r"\b(benh vien|phong kham) (tu|tu nhan|quoc te)\b",
    r"\b(phong nhan su|to truong|quan ly|sep)\b.*\b(don xin nghi|nghi viec|xin nghi|nghi phep)\b",
    r"\b(don xin nghi|nghi viec|xin nghi|nghi phep)\b.*\b(phong nhan su|to truong|sep)\b",
    r"\b(the atm|cay atm)\b.*\b(nuot|khoa|mat tien|bi tru)\b", r"\b(nuot|giu) the\b.*\batm\b",
    r"\b(sim|thue bao)\b.*\b(bi khoa|khoa (1|2|mot|hai) chieu|mo khoa|tong dai)\b",
    r"\b(viettel|vinaphone|mobifone|vnpt|fpt telecom)\b.*\b(cuoc|bi khoa|tong dai|mang yeu|goi cuoc)\b",
    r"\b(ve may bay|vietjet|vietnam airlines|bamboo airways|chuyen bay)\b.*"
    r"\b(delay|bi tre|hoan chuyen|huy chuyen|boi thuong)\b",
    r"\bmoi gioi\b.*\b(doi|lay|thu|tinh) (phi|hoa hong|\d+ ?%)", r"\b(phi|hoa hong) moi gioi\b",
    r"\b(hoa don|tien) (dien|nuoc)\b(?! tu)(?! sach).*\b(tang|cao|sai|gap doi)\b",  # not "hóa đơn điện tử"
]))
_STATE = re.compile(r"\b(dang ky kinh doanh|ho kinh doanh|giay phep|thue|ma so thue|the chap|bao dam|"
                    r"bao hiem xa hoi|bhxh|bao hiem y te|bhyt|that nghiep|tro cap|ubnd|uy ban|cong an|so ke hoach|"
                    r"thanh lap|tax|licen[cs]e)\b")
_VIETNAM = re.compile(r"\b(viet nam|vietnam|vietnamese|vietnamesisch\w*|vn|lanh su|dai su quan|co quan dai dien|"
                      r"ve nuoc|trong nuoc|sang (bang )?viet|nguoi nuoc ngoai|hop phap hoa|chung thuc|cong chung|"
                      r"dich thuat|ban dich|ly lich tu phap|ket hon|khai sinh|ho tich|xac nhan)\b")


def _abroad(folded: str) -> bool:
    """Another country's own procedure, with no word of Vietnam's side of it (benefits of that country always)."""
    return bool(_ABROAD_ONLY.search(folded) or (_ABROAD_PAPERS.search(folded) and not _VIETNAM.search(folded)))


_BLOCKS = [(name, re.compile("|".join(patterns))) for name, patterns in (
    ("injection", _INJECTION), ("forgery", _FORGERY), ("bribery", _BRIBERY), ("other_task", _OTHER_TASK),
    ("emergency", _EMERGENCY), ("scam", _SCAM), ("complaint", _COMPLAINT), ("out_of_scope", _OUT_OF_SCOPE))]


@dataclass(frozen=True)
class Query:
    text: str  # as the user wrote it, cleaned
    folded: str  # typo-fixed, folded
    expanded: str  # folded plus official terms
    blocked: str  # "" or the first of _BLOCKS that matches: "injection", "forgery", … "out_of_scope"; or "abroad"
    added: tuple[str, ...] = ()  # the official terms the lexicon added (folded), one by one: `expanded` is `folded`
    # and these, space-separated


# A block that the rest of the question undoes: a fire that happened (a paper to re-issue, a tax to reduce), forged
# papers someone else used (a certificate to revoke). Every citizen phrasing in knowledge/ passes
# (tests/test_knowledge.py).
_UNLESS = {
    "emergency": re.compile(r"\b(thue|lam lai|cap lai|ho tro|giam|mien|bien ban|dang ky)\b"),
    "forgery": re.compile(r"\b(thu hoi|huy|to giac|dung huong)\b|(?<!bi )(?<!de )\bphat hien\b"),
}


def blocked_reason(folded: str) -> str:
    reason = next((name for name, pattern in _BLOCKS
                   if pattern.search(folded) and not (name in _UNLESS and _UNLESS[name].search(folded))), "")
    if reason in ("", "out_of_scope") and _abroad(folded):
        return "abroad"
    if reason in ("", "complaint") and _PRIVATE.search(folded) and not _STATE.search(folded):
        return "out_of_scope"  # a complaint about a company's service too: no office of the State handles it
    return reason


def parse_query(text: str, lexicon: Lexicon) -> Query:
    fixed = lexicon.fix_tokens(fold(text))
    folded, added = lexicon.resolve(fixed)
    extra = [*added, *(m for m in lexicon.expand(folded) if m not in added)]
    expanded = folded + (" " + " ".join(extra) if extra else "")
    return Query(text=text, folded=folded, expanded=expanded, blocked=blocked_reason(fixed), added=tuple(extra))
