"""The list pages' filter bars (notices, feedback, media) come from one pair of macros in admin/_macros.html."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wtforms import SelectChoice

TEMPLATES = Path(__file__).parents[2] / "kiosk_server" / "templates" / "admin"
LISTS = {"notices.html": "/admin/notices", "feedback_list.html": "/admin/feedback", "media.html": "/admin/media"}


def render_macro(app, call: str, **context) -> str:
    with app.test_request_context("/admin/notices"):
        template = app.jinja_env.from_string(
            '{% from "admin/_macros.html" import filter_bar, filter_select %}' + call)
        return template.render(**context)


def test_filter_select_marks_the_chosen_option_and_groups_units(app):
    groups = [(None, [SelectChoice("08", "Tuyên Quang (08)")]), ("Tuyên Quang", [SelectChoice("02268", "Xã A (02268)")])]
    html = render_macro(app, '{{ filter_select("f-unit", "unit", "Đơn vị", chosen, groups=groups, any_label="Mọi đơn vị") }}',
                        groups=groups, chosen="02268")

    assert re.search(r'<label for="f-unit">Đơn vị</label>\s*<select id="f-unit" name="unit">', html)
    assert '<option value="" >Mọi đơn vị</option>' in html
    group = r'<optgroup label="Tuyên Quang">\s*<option value="02268" selected>Xã A \(02268\)</option>\s*</optgroup>'
    assert re.search(group, html)
    assert '<option value="08" >Tuyên Quang (08)</option>' in html


def test_filter_select_with_nothing_chosen_selects_the_empty_choice(app):
    html = render_macro(app, '{{ filter_select("f-order", "order", "Sắp xếp", None, options=[("", "Mới"), ("oldest", "Cũ")]) }}')

    assert '<option value="" selected>Mới</option>' in html and '<option value="oldest" >Cũ</option>' in html


def test_filter_bar_offers_to_clear_only_when_a_filter_is_set(app):
    bar = '{% call filter_bar("Lọc", clear_url=clear, compact=True) %}<i>fields</i>{% endcall %}'
    filtered = render_macro(app, bar, clear="/admin/notices")
    plain = render_macro(app, bar, clear=None)

    assert re.search(r'<form class="filters panel compact" method="get" aria-label="Lọc">\s*<i>fields</i>', filtered)
    assert '<a class="button ghost" href="/admin/notices">Bỏ lọc</a>' in filtered
    assert "Bỏ lọc" not in plain and '<button class="button" type="submit">Lọc</button>' in plain


@pytest.mark.parametrize("template", LISTS)
def test_list_pages_build_their_filter_bar_from_the_macros(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")

    assert "{% call filter_bar(" in source and "filter_select(" in source
    assert "<select" not in source and '<form class="filters' not in source


def test_list_pages_render_their_filters(client, auth, officers):
    auth.login("tinh@example.vn")
    for path, names in [("/admin/notices?status=draft", ["status", "unit", "category", "date"]),
                        ("/admin/feedback?order=oldest", ["status", "unit", "order", "overdue"]),
                        ("/admin/media?kind=image", ["unit", "kind"])]:
        html = client.get(path).get_data(as_text=True)
        [form] = re.findall(r'<form class="filters panel[^"]*" method="get".*?</form>', html, re.S)
        assert re.findall(r'name="(\w+)"', form) == names, path
        chosen = path.rsplit("=", 1)[1]
        assert f'<option value="{chosen}" selected>' in form, path
