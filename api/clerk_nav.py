"""The one navigation of the clerk pages: the same links, in the same order, on every page, with the current one
marked, and signing out (a POST with the session's CSRF token)."""

from __future__ import annotations

from html import escape

PAGES = (("/clerk", "Tra cứu thủ tục"), ("/clerk/inbox", "Yêu cầu gặp cán bộ"),
         ("/clerk/unanswered", "Câu hỏi chưa trả lời"), ("/clerk/proposals", "Đề xuất"),
         ("/clerk/dashboard", "Thống kê"), ("/clerk/office", "Thông tin nơi tiếp nhận"))


def clerk_nav(current: str, csrf: str = "") -> str:
    """`current`: the page's path; `csrf`: the signed-in session's token (none: no sign-out button)."""
    mark = ' aria-current="page"'
    links = " ".join(f'<a href="{href}"{mark if href == current else ""}>{label}</a>' for href, label in PAGES)
    out = ("" if not csrf else '<form method="post" action="/clerk/logout"><input type="hidden" name="csrf_token" '
           f'value="{escape(csrf)}"><button type="submit" class="link">Đăng xuất</button></form>')
    return f'<nav aria-label="Trang cán bộ">{links}{out}</nav>'
