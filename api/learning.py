"""The unanswered-question loop for the clerk pages: what an account reaches, and carrying out a decision.

- Reach: a clerk its commune's questions, a province account its province's communes, an admin all.
- Decisions: a commune clerk proposes (a link to a procedure, out of scope); a province or admin account approves
  or rejects, and its own decisions are carried out at once (they are the approvers; the proposal row is still
  written, decided by them, so every change to the shared knowledge files is in the same list, the audit trail
  and `tthc knowledge export-proposals`).
- A link is carried out by `ingest.phrasings.link` (validated, atomic, re-ingested), then this worker reloads (the
  others follow from the index version). Out of scope: the group's phrasings join the out-of-scope examples
  (`knowledge/out_of_scope.yaml`, `ingest.phrasings.add_examples`) when that does not make detection worse on
  the old held-out set (`TTHC_OUTSIDE_CHECK_SET`); otherwise the mark is only recorded.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.runtime import Runtime
from bot.database.accounts import Account
from bot.database.proposals import Author, ProposalRecord, View
from bot.database.unanswered import Reach
from bot.errors import InputError, NotFoundError
from bot.text import fold
from ingest.outside import folded_phrasings
from ingest.phrasings import add_examples, link

log = logging.getLogger(__name__)
OUT_OF_SCOPE_RECORDED = ("Đã ghi nhận là ngoài phạm vi, nhưng không thêm vào câu hỏi mẫu: thêm vào sẽ làm bot "
                         "từ chối nhầm câu hỏi khác trong bộ kiểm tra. Nhóm này được ghi lại cho người quản lý kho "
                         "kiến thức.")
OUT_OF_SCOPE_ADDED = "Đã thêm {n} câu hỏi vào câu hỏi mẫu ngoài phạm vi: bot sẽ từ chối những câu tương tự."


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
    s, assistant = runtime.settings, runtime.assistant
    taken = folded_phrasings(assistant.catalog.items.values())
    if claimed.action == "out_of_scope":
        outside = add_examples(s.knowledge_dir, s.index_dir, s.var_dir, assistant.store, assistant.embedder,
                               assistant.retriever, claimed.phrasings, _checks(s.outside_check_set), taken,
                               s.keyword_tokenizer, s.embed_batch)
        if outside.kept:
            runtime.reload()
        database.audit.add(who, "unanswered-out-of-scope", f"proposal {claimed.id}", questions=len(claimed.phrasings),
                           added=len(outside.added),
                           held_out_refused=f"{outside.refused_before}->{outside.refused_after}")
        log.info("proposal %d (out of scope) by %s: %d examples added", claimed.id, who, len(outside.added))
        if outside.kept:
            return database.proposals.settle(claimed.id, "applied", OUT_OF_SCOPE_ADDED.format(n=len(outside.added)),
                                             outside.added)
        return database.proposals.settle(claimed.id, "recorded", OUT_OF_SCOPE_RECORDED)
    if claimed.procedure_id not in assistant.catalog.procedures:
        database.proposals.settle(claimed.id, "rejected", "Không áp dụng được: không tìm thấy thủ tục.")
        raise NotFoundError(f"No procedure '{claimed.procedure_id}'.", "Không tìm thấy thủ tục này.")
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


def _checks(path: Path) -> list[tuple[str, bool]]:
    """(question, in scope?) of a JSON-lines evaluation set; none when it is missing (a deployment without eval/)."""
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(str(r["q"]), bool(r.get("codes"))) for r in rows]


def reject(runtime: Runtime, proposal: ProposalRecord, who: str) -> ProposalRecord:
    database = runtime.database
    database.proposals.decide(proposal.id, who, "rejected", "")
    database.audit.add(who, "unanswered-reject", f"proposal {proposal.id}", kind=proposal.action)
    return database.proposals.settle(proposal.id, "rejected", f"Không duyệt ({who}).")
