"""What a question asks about a procedure (documents, fee, time, where …), and whether it is a follow-up."""

from __future__ import annotations

from bot.search.query import Query
from bot.text import words

ASPECTS: dict[str, tuple[str, ...]] = {
    "documents": ("giay to", "ho so gom", "ho so can", "ho so gi", "ho so nhung", "thanh phan ho so", "lam ho so",
                  "can gi", "can giay", "giay gi", "gom nhung gi", "mang gi", "mang theo", "chuan bi", "can nhung",
                  "thu tuc gi",
                  "documents", "papers", "what do i need", "bring", "unterlagen", "dokumente"),
    "fee": ("le phi", "phi ", "bao nhieu tien", "mat tien", "ton tien", "het bao nhieu", "mien phi", "tien",
            "fee", "cost", "price", "free", "pay", "gebuhr", "kostet", "kosten"),
    "time": ("bao lau", "may ngay", "thoi han", "thoi gian", "khi nao co", "bao gio", "how long", "days",
             "wie lange", "dauert"),
    "where": ("o dau", "noi nao", "cho nao", "co quan nao", "nop dau", "where", "wo "),
    "online": ("truc tuyen", "online", "qua mang", "vneid", "dich vu cong", "internet"),
    "eligibility": ("dieu kien", "ai duoc", "doi tuong", "co duoc khong", "eligible", "who can", "voraussetzung"),
    "legal": ("can cu", "luat", "nghi dinh", "thong tu", "quy dinh nao", "legal basis", "law", "gesetz"),
    "steps": ("the nao", "cach lam", "trinh tu", "cac buoc", "quy trinh", "lam sao", "how do", "how to", "steps",
              "wie "),
}

# Words that only say *what* is asked about a procedure, not *which* procedure.
_ASPECT_WORDS = frozenset(
    "le phi tien bao nhieu mat ton het mien thoi gian han ngay may lau khi nao gio giay to ho so can gi mang theo "
    "chuan bi nhung nop dau cho noi co quan nao truc tuyen online qua mang vneid dich vu cong internet dieu kien ai "
    "doi tuong can cu luat nghi dinh thong tu quy dinh trinh tu cac buoc quy trinh sao lam the con vay thi nua "
    "nhe a duoc khong ko o fee cost how long where documents online what about and the it".split()
)


def is_follow_up(query: Query) -> bool:
    """A question about an aspect that names no procedure: "còn lệ phí?", "nộp online được không?"."""
    if query.blocked or not detect_aspects(query.folded):
        return False
    content = [w for w in words(query.folded) if w not in _ASPECT_WORDS]
    return not content


def detect_aspects(folded: str) -> list[str]:
    """The aspects asked, in the order the question asks them ("cần gì, bao lâu, bao nhiêu tiền")."""
    padded = f" {folded} "
    found: dict[str, int] = {}
    for name, cues in ASPECTS.items():
        positions = [padded.find(f" {cue.strip()} ") for cue in cues]
        positions += [padded.find(f" {cue}") for cue in cues if cue.endswith(" ")]
        hits = [p for p in positions if p >= 0]
        if hits:
            found[name] = min(hits)
    return sorted(found, key=found.__getitem__)


CHANNEL_CUES = {"Trực tiếp": ("truc tiep", "in person", "personlich"),
                "Trực tuyến": ("truc tuyen", "online", "qua mang", "vneid"),
                "Dịch vụ bưu chính": ("buu chinh", "buu dien", "by post", "per post")}


def asked_channel(folded: str) -> str:
    """The channel a question names ("nộp trực tiếp thì bao lâu"), so its time and fee are the ones given."""
    padded = f" {folded} "
    named = [name for name, cues in CHANNEL_CUES.items() if any(f" {cue} " in padded for cue in cues)]
    return named[0] if len(named) == 1 else ""
