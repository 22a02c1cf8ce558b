"""The summary report's charts, drawn once as SVG so the officer's page and the PDF show the same pictures.

pygal draws them: a kept library whose output is plain SVG (no raster, no browser needed), which
the page inlines and WeasyPrint renders as vectors. Its tooltip script would load from a CDN, so
`js=[]` leaves it out (and its inline config script is cut): the PDF has no internet and the officer
pages allow no inline script. The page shows each SVG as an <img> named by its alt text, the PDF
inlines it; both give the same numbers in a table beside it. The SVG itself carries a <title> and
role="img" for readers that open it on its own.
"""

from __future__ import annotations

import base64
import re
import sys
from dataclasses import dataclass

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

# pygal appends a legacy sys.meta_path finder for its map plugins (unused here); Python then warns
# (ImportWarning: find_spec() not found) on every later import that misses. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

FONT = "'Be Vietnam Pro', 'DejaVu Sans', sans-serif"
# The officer UI's red and gold, then colours that stay apart for colour-blind readers; every bar
# is also labelled with its number, so no figure is carried by colour alone.
COLOURS = ("#a11f1f", "#d9a521", "#1b416e", "#1d5b2b", "#6e4500", "#5c544b")
_STYLE = Style(
    font_family=FONT, background="#ffffff", plot_background="#ffffff", foreground="#1e1a16",
    foreground_strong="#1e1a16", foreground_subtle="#847a6e", colors=COLOURS, opacity="1", opacity_hover="1",
    title_font_size=18, label_font_size=13, major_label_font_size=13, value_font_size=13, legend_font_size=13,
    tooltip_font_size=13, value_colors=("#1e1a16",) * len(COLOURS),
)


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


@dataclass(frozen=True)
class Chart:
    """One chart: its title, its SVG (safe to inline) and the rows of the table that gives its numbers."""

    key: str
    title: str
    svg: Markup
    rows: list[tuple[str, str]]

    @property
    def data_uri(self) -> str:
        """Return the SVG as a data: URI for an <img>: the page's Content-Security-Policy allows no inline
        style or script, and an image document is drawn with its own styles, isolated from the page."""
        return "data:image/svg+xml;base64," + base64.b64encode(str(self.svg).encode("utf-8")).decode("ascii")


def _svg(chart: pygal.graph.graph.Graph, title: str) -> Markup:
    # pygal always writes a small config script for its tooltips; no picture here runs a script.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))
    # A <title> first in the root and role="img" make the chart a named picture for screen readers.
    # pygal builds the SVG with an XML serialiser, so every label in it is already escaped.
    drawn = Markup(svg)  # noqa: S704
    head, _sep, rest = drawn.partition(">")
    return Markup('{} role="img" aria-label="{}"><title>{}</title>{}').format(head, title, title, rest)


def _ticks(top: float, percent: bool) -> list[float]:
    """Return whole-number axis ticks from 0 to at least `top` (0–100 for percentages), at most about six."""
    if percent:
        return [0, 20, 40, 60, 80, 100]
    step, scale = 1, 1
    while top / step > 6:  # steps of 1, 2, 5, 10, 20, 50, ...
        for factor in (1, 2, 5):
            step = factor * scale
            if top / step <= 6:
                break
        scale *= 10
    last = max(step, int(-(-top // step)) * step)
    return list(range(0, last + 1, step))


def _bar(title: str, labels: list[str], values: list[float], horizontal: bool, percent: bool = False) -> Markup:
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(240, 90 + 50 * len(labels)) if horizontal else 320
    chart = kind(
        style=_STYLE, js=[], width=760, height=height, title=title, show_legend=False, print_values=True,
        print_values_position="top", value_formatter=(lambda v: f"{v:g}%") if percent else (lambda v: f"{v:g}"),
        truncate_label=-1, margin=16, spacing=12, y_labels=_ticks(max([*values, 0]), percent),
    )
    chart.x_labels = labels
    chart.add(title, [{"value": v, "color": COLOURS[i % len(COLOURS)]} for i, v in enumerate(values)])
    return _svg(chart, title)


def summary_charts(summary: dict) -> list[Chart]:
    """Return the charts of a summary (see services.reports.summary), in the order the report shows them."""
    charts: list[Chart] = []
    categories = summary["notices"]["by_category"]
    title = _("Thông báo đã phát hành theo lĩnh vực")
    rows = [(c["name"], str(c["count"])) for c in categories] or [(_("Không có thông báo"), "0")]
    charts.append(Chart("categories", title, _bar(title, [r[0] for r in rows], [float(r[1]) for r in rows], True), rows))

    priorities = summary["notices"]["by_priority"]
    title = _("Thông báo đã phát hành theo mức ưu tiên")
    rows = [(p["name"], str(p["count"])) for p in priorities]
    charts.append(Chart("priorities", title, _bar(title, [r[0] for r in rows], [float(r[1]) for r in rows], False), rows))

    fb = summary["feedback"]
    title = _("Phản ánh, kiến nghị")
    rows = [(_("Đã nhận"), str(fb["received"])), (_("Đã trả lời"), str(fb["answered"])), (_("Quá hạn"), str(fb["overdue"]))]
    charts.append(Chart("feedback", title, _bar(title, [r[0] for r in rows], [float(r[1]) for r in rows], False), rows))

    items = summary["alerts"]["items"]
    if items:
        title = _("Tỷ lệ màn hình xác nhận đã hiển thị cảnh báo (%)")
        labels = [f"#{a['id']} {a['headline'][:40]}" for a in items]
        values = [round((a["share"] or 0) * 100, 1) for a in items]
        rows = [(label, f"{a['acknowledged']}/{a['screens']}") for label, a in zip(labels, items, strict=True)]
        svg = _bar(title, labels, values, True, percent=True)
        charts.append(Chart("alerts", title, svg, rows))
    return charts


def uptime_chart(days: list[dict]) -> Chart:
    """Return a screen's online share per day (services.uptime.screen_uptime's `days`) as a bar chart."""
    title = _("Tỷ lệ thời gian trực tuyến theo ngày (%)")
    labels = [f"{day['date'][8:10]}/{day['date'][5:7]}" for day in days]
    values = [round((day["share"] or 0) * 100, 1) for day in days]
    rows = [(label, "—" if day["share"] is None else f"{value:g}%".replace(".", ","))
            for label, value, day in zip(labels, values, days, strict=True)]
    chart = pygal.Bar(
        style=_STYLE, js=[], width=760, height=320, title=title, show_legend=False, print_values=len(days) <= 14,
        print_values_position="top", value_formatter=lambda v: f"{v:g}%", truncate_label=-1, margin=16,
        spacing=4, range=(0, 100), y_labels=_ticks(100, True), x_label_rotation=-60 if len(days) > 14 else 0,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return Chart("uptime", title, _svg(chart, title), rows)
