"""Charts drawn on the server as SVG (no script, no CDN, nothing but presentation attributes, so the pages' strict
CSP holds) and their data as CSV.

Every chart carries its numbers as text: a column chart is an `<svg role="img">` with a summary in its
`aria-label` and a visually hidden table of every value; a bar chart is a list whose rows are text (label and
number) with the bar drawn beside them. Values are escaped here; labels come in as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from html import escape

COLORS = ("#1f3a5f", "#0a6e3f", "#b3261e", "#7a5c00", "#595959", "#6a3d9a")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def number(n: float | int) -> str:
    """Vietnamese grouping: 12.345; one decimal (with a comma) when not whole."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(n):,}".replace(",", ".")


def _sr_table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return (f'<div class="sr"><table><caption>{escape(caption)}</caption><thead><tr>{header}</tr></thead>'
            f"<tbody>{cells}</tbody></table></div>")


def columns(title: str, labels: Sequence[str], series: dict[str, Sequence[int]], names: dict[str, str],
            summary: str) -> str:
    """Stacked columns, one per label (a day), one colour per series; the axis, legend and numbers as text."""
    count = len(labels)
    totals = [sum(values[i] for values in series.values()) for i in range(count)]
    top = max(totals, default=0) or 1
    rects = []
    for i in range(count):
        y = 100.0
        for k, key in enumerate(series):
            value = series[key][i]
            if value:
                h = value / top * 100
                y -= h
                rects.append(f'<rect x="{i + 0.1:.2f}" y="{y:.2f}" width="0.8" height="{h:.2f}" '
                             f'fill="{COLORS[k % len(COLORS)]}"/>')
    legend = "" if len(series) < 2 else '<ul class="legend">' + "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{COLORS[k % len(COLORS)]}"/></svg>{escape(names.get(key, key))}</li>' for k, key in enumerate(series)
    ) + "</ul>"
    svg = (f'<svg class="cols" viewBox="0 0 {max(count, 1)} 100" preserveAspectRatio="none" role="img" '
           f'aria-label="{escape(title)}: {escape(summary)}">'
           f'<line x1="0" y1="100" x2="{max(count, 1)}" y2="100" stroke="#8a94a3" stroke-width="0.5"/>'
           f'{"".join(rects)}</svg>')
    axis = (f'<div class="axis" aria-hidden="true"><span>{escape(labels[0] if labels else "")}</span>'
            f'<span>{escape(labels[-1] if labels else "")}</span></div>')
    head = ["Ngày", *[names.get(k, k) for k in series]] + (["Tổng"] if len(series) > 1 else [])
    rows = [[labels[i], *[number(series[k][i]) for k in series]] + ([number(totals[i])] if len(series) > 1 else [])
            for i in range(count)]
    return (f'<div class="colchart"><p class="max" aria-hidden="true">tối đa {number(max(totals, default=0))}</p>'
            f"{svg}{axis}{legend}{_sr_table(title, head, rows)}</div>")


def bars(rows: Sequence[tuple[str, int | float]], color: str = COLORS[0], unit: str = "",
         lang: str = "vi") -> str:
    """Horizontal bars: each row is its label and number as text, the bar drawn in an SVG beside them."""
    if not rows:
        return '<p class="muted">Chưa có số liệu trong khoảng thời gian này.</p>'
    top = max((v for _, v in rows), default=0) or 1
    items = []
    for label, value in rows:
        width = max(0.5, value / top * 100) if value else 0
        items.append(f'<li><span class="label" lang="{lang}">{escape(label)}</span>'
                     f'<span class="n">{number(value)}{escape(unit)}</span>'
                     f'<svg class="bar" aria-hidden="true" focusable="false"><rect width="{width:.1f}%" height="100%" '
                     f'rx="3" fill="{color}"/></svg></li>')
    return f'<ul class="bars">{"".join(items)}</ul>'


def safe_cell(value: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula (=, +, -, @, a tab or a return first get a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """UTF-8 CSV with a byte-order mark (so spreadsheets read the Vietnamese), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in head])
    writer.writerows([[safe_cell(c) for c in row] for row in rows])
    return "\ufeff" + out.getvalue()
