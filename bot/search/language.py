"""Which language a question is in: Vietnamese, English or German (others fall back to English labels)."""

from __future__ import annotations

import re

from bot.text import fold, has_diacritics

_VI = {
    "toi", "lam", "giay", "o", "dau", "can", "gi", "bao", "nhieu", "khong", "duoc", "cho", "con", "dang", "ky",
    "thu", "tuc", "xin", "hoi", "the", "nao", "cua", "va", "co", "phi", "le", "ho", "so", "khai", "sinh", "em",
    "anh", "chi", "me", "bo", "nha", "xa", "phuong", "tam", "tru", "thuong", "ket", "hon", "muon", "minh", "nop",
    "cap", "lai", "cuoc", "mat", "het", "bi", "doi", "xac", "nhan", "thi", "nguoi", "phai", "sao", "vay", "ko",
    "dc", "roi", "voi", "cccd", "bhyt", "bhxh", "ve", "tien", "ngay", "mot", "nam", "thang", "gia", "dinh", "dat",
    "quyen", "su", "dung", "xe", "chung", "huong", "tro", "hiem", "viec", "cu", "moi", "lan", "tui", "bac",
}
_EN = {
    "the", "how", "what", "where", "do", "i", "a", "to", "is", "my", "for", "can", "need", "register", "get",
    "much", "does", "cost", "which", "documents", "long", "an", "of", "in", "apply", "card", "certificate",
    "you", "your", "we", "our", "are", "have", "with", "and", "want", "please", "this", "that", "there", "when",
    "who", "why", "will", "should", "from", "about", "lost", "help", "english",
}
_DE = {
    "wie", "ich", "was", "wo", "der", "die", "das", "ein", "eine", "meine", "meinen", "brauche", "kostet",
    "beantragen", "fur", "und", "ist", "lange", "dauert", "welche", "unterlagen", "mein", "kind", "einen",
}
# English words that are also Vietnamese syllables without their marks (thẻ, cần, tờ, à, đỏ, ăn, in, lòng, Mỹ,
# mẹ, sổ): they count for English only beside a word that is English alone
_BOTH = {"the", "can", "to", "a", "do", "an", "in", "long", "my", "me", "so"}
_TOKEN = re.compile(r"[a-z]+")
# A Vietnamese syllable without its marks: initial consonant, one to three vowels, final consonant ("repeat",
# "word", "is" are not one); with the shorthand Vietnamese chat uses
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnptiyou])?")
_SHORTHAND = {
    "cccd", "cmnd", "bhyt", "bhxh", "ubnd", "dc", "dk", "dky", "ko", "k", "j", "z", "bn", "sdt", "ntn", "mk", "ad",
    "ok", "e", "vneid", "online", "tp", "hcm", "gplx", "gcn", "qsdd", "sd", "hk", "kt", "vs", "r", "ng", "hs",
}
_LISTED = _VI | _EN | _DE | _SHORTHAND


def detect_language(text: str) -> str:
    """"vi", "en" or "de". Typed without diacritics, "cap lai the can cuoc" stays Vietnamese: "the" and "can"
    are English only next to a word that is not also Vietnamese (an English word, or one that is no Vietnamese
    syllable: "repeat the word")."""
    if has_diacritics(text) and not re.search(r"[äöüß]", text.lower()):
        return "vi"
    toks = _TOKEN.findall(fold(text))
    if not toks:
        return "vi"
    both = sum(t in _BOTH for t in toks)
    # half a point for each word no list knows: to Vietnamese if it is a Vietnamese syllable, else to the others
    syllables = sum(t not in _LISTED and bool(_SYLLABLE.fullmatch(t)) for t in toks)
    unknown = sum(t not in _LISTED and not _SYLLABLE.fullmatch(t) for t in toks)
    english = sum(t in _EN and t not in _BOTH for t in toks) + 0.5 * unknown
    scores = {
        "vi": sum(t in _VI and t not in _BOTH for t in toks) + 0.5 * syllables + (0 if english else both),
        "en": english + (both if english else 0) + 0.5,
        "de": sum(t in _DE for t in toks) + 0.5 * unknown + (2 if re.search(r"[äöüß]", text.lower()) else 0),
    }
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0.5 else "vi"
