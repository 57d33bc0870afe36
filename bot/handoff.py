"""Handoff to a person: the citizen asks for a clerk (a button, or in plain words), gets a ticket with a short
code to read aloud at the counter, and the commune's clerks reply from their inbox.

`asks_for_person(text)` is checked by the conversation before any retrieval; `Handoff.request` opens (or finds)
the session's ticket, with the office's hours and whether it is open now, from what the commune published and
nothing else. A contact (phone or e-mail) is kept only after the citizen ticked `CONSENT`, apart from the ticket,
and is deleted when the ticket closes. A reply reaches only the session whose ticket it is.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Literal

from bot.database.conversations import ConversationRepository
from bot.database.tickets import Message, Status, Ticket, TicketRepository, TicketScope
from bot.errors import InputError, NotFoundError
from bot.knowledge.communes import Commune, Locality, Office
from bot.text import fold

log = logging.getLogger(__name__)

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time since 1975
CONSENT = "Tôi đồng ý để cán bộ dùng số điện thoại/e-mail này chỉ để trả lời câu hỏi này."
REPLY_MAX_CHARS = 4000
CONTACT_MAX_CHARS = 254

# --- asking for a person ------------------------------------------------------------------------------------
_PERSON = re.compile(r"\b(?:"
                     r"gap (?:truc tiep )?(?:can bo|nguoi that|nguoi|nhan vien|cong chuc)"
                     r"|(?:noi chuyen|trao doi|lien he|lien lac|chat|hoi) (?:truc tiep )?(?:voi |cung )?"
                     r"(?:mot )?(?:can bo|nguoi that|nhan vien|nguoi|cong chuc)"
                     r"|chuyen (?:cho |sang |toi )?(?:can bo|nguoi that|nhan vien)"
                     r"|(?:talk|speak|chat) (?:to|with) (?:a |an |some )?(?:real |actual |live )?"
                     r"(?:person|human|someone|clerk|officer|agent|staff|people|official)"
                     r"|(?:a |real |live )(?:human|person) please"
                     r"|mit (?:einem |einer )?(?:menschen|mitarbeiter(?:in)?|person|sachbearbeiter(?:in)?) sprechen"
                     r")\b")
# a question about a procedure that happens to name a clerk ("gặp cán bộ địa chính ở đâu để làm sổ đỏ")
_PROCEDURE_QUESTION = re.compile(r"\b(?:o dau|bao nhieu|can gi|can nhung gi|the nao|lam sao|khi nao|bao lau|"
                                 r"thu tuc|ho so|giay to|le phi|dang ky|where|how much|which documents)\b")
PERSON_MAX_WORDS = 16


def asks_for_person(text: str) -> bool:
    """The citizen asks to talk to a person ("cho tôi gặp cán bộ", "talk to a person"), not about a procedure."""
    folded = fold(text)
    return (bool(_PERSON.search(folded)) and not _PROCEDURE_QUESTION.search(folded)
            and len(folded.split()) <= PERSON_MAX_WORDS)


# --- the code ------------------------------------------------------------------------------------------------
# letters that read aloud unambiguously: none of I/Y (both "i" in Vietnamese), O/Q (0), nor F/J/W/Z
CODE_LETTERS = "ABCDEGHKLMNPRSTUVX"
_TYPE_WORDS = re.compile(r"^(?:xa|phuong|thi tran|dac khu|thi xa)\s+")


def code_prefix(ward_name: str) -> str:
    """Two letters from the commune's name: "Xã Hòa Vang" -> "HV", "Phường Ba Đình" -> "BD"; initials first,
    then the next letters of the name, skipping letters that can be misheard."""
    name = _TYPE_WORDS.sub("", fold(ward_name))
    words = re.findall(r"[a-z]+", name)
    letters = [w[0] for w in words] + [ch for w in words for ch in w[1:]]
    picked = [ch.upper() for ch in letters if ch.upper() in CODE_LETTERS][:2]
    return "".join(picked).ljust(2, "X")


def ticket_codes(prefix: str, tries: int = 40) -> Iterator[str]:
    """Random codes "HV-4821" (then five digits, should a prefix ever run short of free four-digit ones)."""
    for i in range(tries):
        digits = 4 if i < tries // 2 else 5
        yield f"{prefix}-{secrets.randbelow(10 ** digits):0{digits}d}"


CODE_RE = re.compile(r"^[A-Z]{2}-\d{4,5}$")


# --- office hours --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hours:
    """Published hours: Monday to Friday and Saturday, as "07:30-11:30, 13:30-17:00" ("" = not published);
    `text`: as shown. Without structured hours only `text` (the office's own words) is set."""

    weekdays: str
    saturday: str
    text: str

    @property
    def known(self) -> bool:
        return bool(self.weekdays or self.saturday)

    def ranges(self, day: int) -> list[tuple[time, time]]:
        spec = self.weekdays if day < 5 else self.saturday if day == 5 else ""
        out = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            start, end = part.split("-")
            out.append((time.fromisoformat(start), time.fromisoformat(end)))
        return out

    def open_at(self, when: datetime) -> bool:
        local = when.astimezone(VIETNAM)
        return any(a <= local.time() < b for a, b in self.ranges(local.weekday()))

    def next_opening(self, when: datetime) -> datetime | None:
        """When the office next opens after `when` (public holidays are not known here)."""
        local = when.astimezone(VIETNAM)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            for start, _ in self.ranges(day.weekday()):
                opening = datetime.combine(day, start, VIETNAM)
                if opening > local:
                    return opening
        return None


def hours_of(office: Office | None) -> Hours | None:
    if office is None:
        return None
    if office.opening_hours is not None:
        return Hours(office.opening_hours.weekdays, office.opening_hours.saturday, office.hours)
    return Hours("", "", office.hours) if office.hours else None


WEEKDAYS = {"vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")}
TEXT = {
    "vi": {"code": "Mã yêu cầu của bạn: {code}. Cán bộ {place} sẽ xem cuộc trò chuyện này và trả lời ngay tại đây. "
                   "Khi đến quầy, bạn chỉ cần đọc mã này.",
           "open": "Đang trong giờ làm việc ({hours}): cán bộ sẽ trả lời sớm.",
           "closed": "Hiện ngoài giờ làm việc ({hours}). Cán bộ sẽ trả lời từ {when}.",
           "text": "Giờ làm việc: {hours}. Cán bộ sẽ trả lời trong giờ làm việc.",
           "none": "Cán bộ sẽ trả lời trong giờ làm việc.",
           "answered": "Cán bộ đã trả lời yêu cầu {code}.", "closed_ticket": "Yêu cầu {code} đã đóng.",
           "contact": "Đã lưu thông tin liên hệ, chỉ để trả lời câu hỏi này.",
           "no_commune": "Để gặp cán bộ, hãy mở trang hỏi đáp của xã, phường nơi bạn làm thủ tục (quét mã QR tại "
                         "Trung tâm Phục vụ hành chính công), rồi bấm «Gặp cán bộ».",
           "at": "{hm} {day}, {date}"},
    "en": {"code": "Your request code: {code}. A clerk of {place} will read this conversation and reply right here. "
                   "At the counter, just read out this code.",
           "open": "The office is open now ({hours}): a clerk will reply soon.",
           "closed": "The office is closed now ({hours}). A clerk will reply from {when}.",
           "text": "Opening hours: {hours}. A clerk will reply during opening hours.",
           "none": "A clerk will reply during opening hours.",
           "answered": "A clerk has replied to request {code}.", "closed_ticket": "Request {code} is closed.",
           "contact": "Your contact was saved, only to answer this question.",
           "no_commune": "To reach a clerk, open the chat page of your commune or ward (scan the QR code at its "
                         "Public Administration Service Center), then tap «Gặp cán bộ».",
           "at": "{hm} on {day}, {date}"},
    "de": {"code": "Ihr Anfragecode: {code}. Ein Mitarbeiter von {place} liest dieses Gespräch und antwortet hier. "
                   "Am Schalter nennen Sie einfach diesen Code.",
           "open": "Das Amt ist jetzt geöffnet ({hours}): Sie erhalten bald eine Antwort.",
           "closed": "Das Amt ist jetzt geschlossen ({hours}). Eine Antwort kommt ab {when}.",
           "text": "Öffnungszeiten: {hours}. Eine Antwort kommt während der Öffnungszeiten.",
           "none": "Eine Antwort kommt während der Öffnungszeiten.",
           "answered": "Anfrage {code} wurde beantwortet.", "closed_ticket": "Anfrage {code} ist geschlossen.",
           "contact": "Ihr Kontakt wurde gespeichert, nur um diese Frage zu beantworten.",
           "no_commune": "Um einen Mitarbeiter zu erreichen, öffnen Sie die Chat-Seite Ihrer Gemeinde (QR-Code im "
                         "Bürgerservicezentrum) und tippen Sie auf «Gặp cán bộ».",
           "at": "{day}, {date}, {hm} Uhr"},
}


# --- contacts ------------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$")
_PHONE_VN = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")  # mobile (10 digits) or landline (11 digits, 02x)


def parse_contact(value: str) -> tuple[Literal["phone", "email"], str]:
    """("phone", "0905123456") or ("email", "ten@example.com"); an InputError that never repeats the value."""
    value = value.strip()
    if "@" in value:
        if len(value) <= CONTACT_MAX_CHARS and _EMAIL.match(value) and ".." not in value:
            local, domain = value.rsplit("@", 1)
            return "email", f"{local}@{domain.lower()}"
    else:
        digits = re.sub(r"[\s.\-()]", "", value)
        if digits.startswith("+84"):
            digits = "0" + digits[3:]
        elif digits.startswith("84") and len(digits) in (11, 12):
            digits = "0" + digits[2:]
        if _PHONE_VN.match(digits):
            return "phone", digits
    raise InputError("contact must be a Vietnamese phone number (0912 345 678, +84 912 345 678) or an e-mail "
                     "address.", "Số điện thoại hoặc e-mail không hợp lệ. Ví dụ: 0912 345 678 hoặc ten@example.com.")


# --- the use-case --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HandoffView:
    """What the citizen sees of a ticket."""

    code: str
    status: Status
    commune: str
    commune_name: str
    on_duty: bool | None  # None: no hours published, so nobody can say
    hours: Hours | None
    message: str
    contact_saved: bool = False


class Handoff:
    """`on_change` is called after every change to a ticket (pages with a live view look again at once)."""

    def __init__(self, tickets: TicketRepository, conversations: ConversationRepository, offer_after: int = 2,
                 on_change: Callable[[], None] = lambda: None, clock: Callable[[], datetime] | None = None) -> None:
        self.tickets = tickets
        self.conversations = conversations
        self.offer_after = offer_after
        self.on_change = on_change
        self._clock = clock or (lambda: datetime.now(VIETNAM))

    # the citizen

    def request(self, session_id: str, locality: Locality, contact: str | None = None, consent: bool = False,
                language: str = "vi") -> HandoffView:
        """Open the session's ticket at this commune (or find the one already open), and keep a contact given with
        consent. A contact without consent is an InputError, before anything is stored."""
        parsed = None
        if contact is not None and contact.strip():
            if not consent:
                raise InputError("A contact is kept only with consent: send consent: true with it.",
                                 "Vui lòng đánh dấu đồng ý trước khi để lại số điện thoại hoặc e-mail.")
            parsed = parse_contact(contact)
        commune = locality.commune
        ticket, created = self.tickets.open_for(session_id, commune.ward_code, commune.province_code,
                                                ticket_codes(code_prefix(commune.ward_name)))
        if parsed is not None:
            self.tickets.set_contact(ticket, parsed[0], parsed[1], CONSENT)
        log.info("handoff ticket=%s commune=%s new=%s contact=%s", ticket.code, commune.ward_code, created,
                 parsed[0] if parsed else "-")
        self.on_change()
        return self.view(ticket, commune, locality.office, language)

    def view(self, ticket: Ticket, commune: Commune, office: Office | None, language: str = "vi") -> HandoffView:
        lang = language if language in TEXT else "en"
        L = TEXT[lang]
        hours = hours_of(office)
        now = self._clock()
        on_duty = hours.open_at(now) if hours is not None and hours.known else None
        lines = [L["code"].format(code=ticket.code, place=commune.ward_name)]
        if ticket.status == "answered":
            lines.append(L["answered"].format(code=ticket.code))
        elif ticket.status == "closed":
            lines.append(L["closed_ticket"].format(code=ticket.code))
        elif hours is None:
            lines.append(L["none"])
        elif on_duty:
            lines.append(L["open"].format(hours=hours.text))
        elif on_duty is False:
            opening = hours.next_opening(now) if hours else None
            when = L["at"].format(hm=opening.strftime("%H:%M"), day=WEEKDAYS[lang][opening.weekday()],
                                  date=opening.strftime("%d/%m/%Y")) if opening else ""
            lines.append(L["closed"].format(hours=hours.text, when=when) if when else L["text"].format(
                hours=hours.text))
        else:
            lines.append(L["text"].format(hours=hours.text))
        contact = self.tickets.contact(ticket) is not None
        if contact:
            lines.append(L["contact"])
        return HandoffView(ticket.code, ticket.status, commune.ward_code, commune.ward_name, on_duty, hours,
                           " ".join(lines), contact)

    def no_commune_message(self, language: str) -> str:
        return TEXT.get(language, TEXT["en"])["no_commune"]

    def offers(self, session_id: str, turn_id: int | None = None) -> bool:
        """Offer a person (never open a ticket unasked) when the session has failed the citizen `offer_after` times
        and the last of them just showed (at turn `turn_id`; None: a thumbs-down just given), unless a ticket of the
        session is still waiting."""
        if self.offer_after <= 0 or any(t.status != "closed" for t in self.tickets.of_session(session_id)):
            return False
        marks = self.conversations.failures(session_id)
        return len(marks) >= self.offer_after and (turn_id is None or turn_id in marks)

    def session_ticket(self, code: str, session_id: str) -> Ticket:
        """The ticket with this code if it belongs to this session; otherwise NotFoundError (never says which)."""
        ticket = self.tickets.get(code.upper()) if CODE_RE.match(code.upper()) else None
        if ticket is None or not secrets.compare_digest(ticket.session_id, session_id):
            raise NotFoundError("No such ticket in this session.", "Không tìm thấy yêu cầu gặp cán bộ này.")
        return ticket

    def replies(self, session_id: str, after: int = 0) -> tuple[list[Ticket], list[Message]]:
        """The session's tickets, and the replies on them with an id above `after`."""
        tickets = self.tickets.of_session(session_id)
        return tickets, self.tickets.messages(tickets, after)

    def citizen_wrote(self, session_id: str) -> None:
        if self.tickets.touch_session(session_id):
            self.on_change()

    # the clerk

    def visible(self, code: str, scope: TicketScope) -> Ticket:
        """The ticket if the account may see it; otherwise NotFoundError, as for a code that does not exist."""
        ticket = self.tickets.get(code.upper()) if CODE_RE.match(code.upper()) else None
        if ticket is None or not scope.allows(ticket):
            raise NotFoundError(f"No ticket {code[:16]} in your communes.", "Không tìm thấy yêu cầu này.")
        return ticket

    def reply(self, code: str, scope: TicketScope, author: str, text: str) -> Message:
        ticket = self.visible(code, scope)
        text = text.strip()
        if not text or len(text) > REPLY_MAX_CHARS or "\x00" in text:
            raise InputError(f"A reply is 1 to {REPLY_MAX_CHARS} characters of text.",
                             f"Câu trả lời phải có nội dung và dài tối đa {REPLY_MAX_CHARS} ký tự.")
        if ticket.status == "closed":
            raise InputError("The ticket is closed.", "Yêu cầu này đã đóng, không thể trả lời thêm.")
        message = self.tickets.reply(ticket, author, text)
        log.info("handoff reply ticket=%s chars=%d", ticket.code, len(text))
        self.on_change()
        return message

    def close(self, code: str, scope: TicketScope) -> Ticket:
        ticket = self.visible(code, scope)
        if ticket.status != "closed":
            self.tickets.close(ticket)
            log.info("handoff closed ticket=%s", ticket.code)
            self.on_change()
        return self.visible(code, scope)
