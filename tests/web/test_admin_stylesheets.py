"""The officer UI's stylesheets: shared components live once in admin.css, a page sheet holds only its page.

The notice editor's miniature-screen preview (notices.css, "The screen preview") needs no exemption:
none of its selectors appears in another sheet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2] / "kiosk_server"
SHEETS = sorted((ROOT / "static" / "admin").glob("*.css"))
TEMPLATES = ROOT / "templates" / "admin"


def selectors(css: str) -> set[tuple[str, str]]:
    """Return the (enclosing at-rules, selector) pairs a stylesheet styles; keyframe steps are not selectors."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: set[tuple[str, str]] = set()
    context: list[str] = []
    text = ""
    for char in css:
        if char == "{":
            head = " ".join(text.split())
            context.append(head)
            text = ""
            inside = [c for c in context[:-1] if c.startswith("@")]
            if not head.startswith("@") and not any(c.startswith("@keyframes") for c in inside):
                found.update((" ".join(inside), " ".join(s.split())) for s in head.split(","))
        elif char == "}":
            if context:
                context.pop()
            text = ""
        elif char == ";":
            text = ""
        else:
            text += char
    return found


def test_the_parser_sees_selectors_inside_media_queries_and_ignores_keyframes():
    css = "/* .x { } */ .a, .b > p { x: 1 } @media (max-width: 9px) { .a { y: 2 } } @keyframes k { 50% { z: 3 } }"

    assert selectors(css) == {("", ".a"), ("", ".b > p"), ("@media (max-width: 9px)", ".a")}


def test_no_selector_is_styled_in_two_admin_stylesheets():
    homes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sheet in SHEETS:
        for selector in selectors(sheet.read_text(encoding="utf-8")):
            homes[selector].append(sheet.name)

    twice = {f"{at} {sel}".strip(): names for (at, sel), names in homes.items() if len(names) > 1}
    assert twice == {}, "style a shared component once, in admin.css; a page sheet only its own page"


@pytest.mark.parametrize("component", [".callout", ".error-summary", "fieldset.field", ".nowrap", ".break",
                                       ".detail-grid", ".facts", ".action-details", ".workflow-buttons"])
def test_shared_components_live_in_the_core_sheet(component):
    core = {sel for _at, sel in selectors((ROOT / "static" / "admin" / "admin.css").read_text(encoding="utf-8"))}

    assert component in core


@pytest.mark.parametrize("template", ["feedback.html", "feedback_list.html"])
def test_feedback_pages_no_longer_borrow_the_notices_sheet(template):
    html = (TEMPLATES / template).read_text(encoding="utf-8")

    assert "admin/feedback.css" in html and "notices.css" not in html


def test_the_media_picker_does_not_reuse_the_media_librarys_classes():
    media = {sel for _at, sel in selectors((ROOT / "static" / "admin" / "media.css").read_text(encoding="utf-8"))}
    picker = (TEMPLATES / "notice_form.html").read_text(encoding="utf-8")

    for used in re.findall(r'class="([\w -]+)"', picker):
        assert not {f".{c}" for c in used.split()} & media, f"the notice editor borrows {used!r} from media.css"
