"""The unanswered-question loop for the clerk pages: what an account reaches, and carrying out a decision.

- Reach: a clerk its commune's questions, a province account its province's communes, an admin all.
- Decisions: a commune clerk proposes (a link to a procedure, out of scope); a province or admin account approves
  or rejects, and its own decisions are carried out at once (they are the approvers; the proposal row is still
  written, decided by them, so every change to the shared knowledge files is in the same list, the audit trail
  and `tthc knowledge export-proposals`).
- A link is carried out by `ingest.phrasings.link` (validated, atomic, re-ingested), then this worker reloads (the
  others follow from the index version). Out of scope is recorded only: the bot tells out-of-scope questions by
  patterns and a score threshold (`bot.search.query`, `TTHC_MIN_SCORE`), and there is no file of out-of-scope
  examples that a marked group could join and be measured on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from api.runtime import Runtime
from bot.database.accounts import Account
from bot.database.proposals import Author, ProposalRecord, View
from bot.database.unanswered import Reach
from bot.errors import InputError, NotFoundError
from bot.text import fold
from ingest.phrasings import link

log = logging.getLogger(__name__)
OUT_OF_SCOPE_RECORDED = ("Đã ghi nhận là ngoài phạm vi. Bot nhận biết câu hỏi ngoài phạm vi bằng mẫu từ khóa và "
                         "ngưỡng điểm, chưa có tệp câu hỏi mẫu để bổ sung, nên nhóm này chỉ được ghi lại cho người "
                         "quản lý kho kiến thức.")


def reach_of(account: Account, runtime: Runtime) -> Reach:
    if account.role == "admin":
        return Reach(None)
    if account.role == "province":
        return Reach(frozenset(c.ward_code for c in runtime.registry.communes.values()
                               if account.province and c.province_code == account.province))
    return Reach(frozenset({account.commune}) if account.commune else frozenset())


def view_of(account: Account) -> View:
    if account.role == "admin":
        return View(everything=True)
    if account.role == "province":
        return View(province=account.province or "-")
    return View(commune=account.commune or "-")


def author_of(account: Account, runtime: Runtime) -> Author:
    if account.role == "admin":
        return Author(account.username, account.role)
    if account.role == "province":
        return Author(account.username, account.role, province=account.province)
    commune = runtime.registry.communes.get(account.commune)
    return Author(account.username, account.role, account.commune,
                  commune.province_code if commune else account.province)


def now() -> datetime:
    return datetime.now(UTC)


def carry_out(runtime: Runtime, proposal: ProposalRecord, who: str) -> ProposalRecord:
    """Approve a pending proposal and carry it out. A link that validation refuses is rejected with the reason
    (its questions come back to the groups), and the InputError goes on to the caller to show."""
    database = runtime.database
    claimed = database.proposals.decide(proposal.id, who, "recorded" if proposal.action == "out_of_scope"
                                        else "applied", "")
    if claimed.action == "out_of_scope":
        database.audit.add(who, "unanswered-out-of-scope", f"proposal {claimed.id}", questions=len(claimed.phrasings))
        log.info("proposal %d (out of scope) recorded by %s", claimed.id, who)
        return database.proposals.settle(claimed.id, "recorded", OUT_OF_SCOPE_RECORDED)
    s, assistant = runtime.settings, runtime.assistant
    if claimed.procedure_id not in assistant.catalog.procedures:
        database.proposals.settle(claimed.id, "rejected", "Không áp dụng được: không tìm thấy thủ tục.")
        raise NotFoundError(f"No procedure '{claimed.procedure_id}'.", "Không tìm thấy thủ tục này.")
    taken = {fold(q): code for code, item in assistant.catalog.items.items() for q in getattr(item, "questions", [])}
    try:
        report = link(s.knowledge_dir, s.index_dir, s.var_dir, assistant.store, assistant.embedder,
                      claimed.procedure_id, claimed.phrasings, taken, s.keyword_tokenizer, s.embed_batch)
    except InputError as exc:
        database.proposals.settle(claimed.id, "rejected", f"Không áp dụng được: {exc.message_vi}")
        database.audit.add(who, "unanswered-link", claimed.procedure_id, proposal=claimed.id, outcome="refused")
        raise
    runtime.reload()
    # the same question asked again while the proposal waited is answered from now on: out of the groups too
    added = {fold(p) for p in report.added}
    again = [u.turn_id for u in database.unanswered.recent(Reach(None), now() - timedelta(days=s.retention_days),
                                                           s.unanswered_limit) if fold(u.question) in added]
    database.proposals.cover(claimed.id, again)
    left_out = "".join(f" Không thêm “{p}”: {why}." for p, why in report.skipped)
    outcome = f"Đã thêm {len(report.added)} câu hỏi vào thủ tục {claimed.procedure_id}.{left_out}"
    database.audit.add(who, "unanswered-link", claimed.procedure_id, proposal=claimed.id, added=len(report.added),
                       left_out=len(report.skipped), seconds=round(report.seconds, 2))
    return database.proposals.settle(claimed.id, "applied", outcome, report.added)


def reject(runtime: Runtime, proposal: ProposalRecord, who: str) -> ProposalRecord:
    database = runtime.database
    database.proposals.decide(proposal.id, who, "rejected", "")
    database.audit.add(who, "unanswered-reject", f"proposal {proposal.id}", kind=proposal.action)
    return database.proposals.settle(proposal.id, "rejected", f"Không duyệt ({who}).")
