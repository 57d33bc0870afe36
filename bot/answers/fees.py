"""The fee in force on the day a question is asked, from a summary's rates and its dated reductions.

A reduction written as a percentage ("bằng 50% mức thu") gives an amount the official text does not write
(70.000 → 35.000 đồng): `derived_amounts` lists those, so the number checks accept exactly them and no other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.knowledge.models import FeeChange, FeeRate, Summary
from bot.text import fold


@dataclass(frozen=True)
class FeeNow:
    channel: str  # "" = every channel
    free: bool
    amount: int | None  # đồng, in force today
    base: int | None  # the rate before a reduction in force, else None
    percent: int | None  # the reduction's percentage, if it is one
    until: date | None  # the last day the reduction applies
    text: str  # the official wording when there is no single amount


def _applies(change: FeeChange, channel: str, today: date) -> bool:
    if change.start and today < change.start:
        return False
    if change.until and today > change.until:
        return False
    return not change.channel or not channel or fold(change.channel) == fold(channel)


def _now(rate: FeeRate, changes: list[FeeChange], today: date) -> FeeNow:
    active = [c for c in changes if _applies(c, rate.channel, today)]
    # the most specific change wins: one for this channel over one for all; then the latest start
    active.sort(key=lambda c: (bool(c.channel), c.start or date.min), reverse=True)
    if rate.amount is not None and active:
        change = active[0]
        if change.percent is not None:
            amount = rate.amount * change.percent // 100
            return FeeNow(rate.channel, amount == 0, amount, rate.amount, change.percent, change.until, "")
        if change.amount is not None:
            return FeeNow(rate.channel, change.amount == 0, change.amount, rate.amount, None, change.until, "")
    return FeeNow(rate.channel, rate.free, rate.amount, None, None, None, rate.text)


def fees_in_force(summary: Summary, today: date) -> list[FeeNow]:
    """One entry per rate (channel), with the reduction in force today applied."""
    return [_now(rate, summary.fee.changes, today) for rate in summary.fee.rates]


def derived_amounts(summary: Summary | None) -> set[int]:
    """Amounts an answer may state that the text does not write: a dated percentage applied to a rate (on any
    day, so a check made at midnight agrees with the answer)."""
    if summary is None:
        return set()
    return {rate.amount * change.percent // 100 for rate in summary.fee.rates for change in summary.fee.changes
            if rate.amount is not None and change.percent is not None}


def money(amount: int) -> str:
    """70000 -> "70.000 đồng" (the Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"
