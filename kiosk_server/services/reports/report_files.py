"""The summary report as files to send upward: CSV, XLSX (openpyxl) and PDF (WeasyPrint, A4, Vietnamese).

All three are built from the same rows (`summary_rows`), so the figures agree to the digit; the PDF
carries the same SVG charts as the officer's page.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from flask_babel import gettext as _

from kiosk_server.domain import reports as rules
from kiosk_server.domain.spreadsheet import safe_row
from kiosk_server.domain.units import place_name
from kiosk_server.services.reports import report_charts

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FONT_PACKAGE = Path("kiosk_client") / "node_modules" / "@fontsource" / "be-vietnam-pro" / "files"
FONT_SUBSETS = ("latin", "latin-ext", "vietnamese")


@dataclass(frozen=True)
class Row:
    """One figure: a stable key for machines, its section and label for people, its value and how it reads."""

    key: str
    section: str
    label: str
    value: float | int | str | None
    shown: str


def summary_rows(summary: dict) -> list[Row]:
    """Return every figure of the summary as rows, in the order the report lists them."""
    n, p, s, a, f, q = (summary[k] for k in ("notices", "plays", "screens", "alerts", "feedback", "qr"))
    sec_n, sec_p, sec_s = _("Thông báo"), _("Lượt phát"), _("Màn hình")
    sec_a, sec_f, sec_q = _("Cảnh báo khẩn cấp"), _("Phản ánh, kiến nghị"), _("Quét mã QR")

    def num(value) -> str:
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value}".replace(".", ",")

    rows = [Row("notices.published", sec_n, _("Thông báo đã phát hành"), n["published"], num(n["published"]))]
    rows += [Row(f"notices.category.{c['code']}", sec_n, _("Lĩnh vực: %(name)s", name=c["name"]), c["count"], num(c["count"]))
             for c in n["by_category"]]
    rows += [Row(f"notices.priority.{x['code']}", sec_n, _("Mức ưu tiên: %(name)s", name=x["name"]), x["count"],
                 num(x["count"])) for x in n["by_priority"]]
    rows += [
        Row("plays.count", sec_p, _("Số lượt phát"), p["plays"], num(p["plays"])),
        Row("plays.hours", sec_p, _("Số giờ hiển thị"), p["hours"], num(p["hours"])),
        Row("screens.installed", sec_s, _("Màn hình đã lắp đặt"), s["installed"], num(s["installed"])),
        Row("screens.seen", sec_s, _("Màn hình hoạt động trong kỳ"), s["seen"], num(s["seen"])),
        Row("alerts.raised", sec_a, _("Cảnh báo đã phát"), a["raised"], num(a["raised"])),
        Row("alerts.screens", sec_a, _("Lượt màn hình trong vùng cảnh báo"), a["screens"], num(a["screens"])),
        Row("alerts.acknowledged", sec_a, _("Lượt màn hình xác nhận đã hiển thị"), a["acknowledged"], num(a["acknowledged"])),
        Row("alerts.share", sec_a, _("Tỷ lệ xác nhận"), a["share"], rules.percent_vn(a["share"])),
        Row("alerts.median_ack_seconds", sec_a, _("Thời gian xác nhận (trung vị, giây)"), a["median_ack_seconds"],
            rules.span_vn(a["median_ack_seconds"])),
        Row("feedback.received", sec_f, _("Đã nhận"), f["received"], num(f["received"])),
        Row("feedback.answered", sec_f, _("Đã trả lời"), f["answered"], num(f["answered"])),
        Row("feedback.overdue", sec_f, _("Quá hạn chưa trả lời (hạn %(days)s ngày)", days=f["due_days"]), f["overdue"],
            num(f["overdue"])),
        Row("feedback.median_answer_seconds", sec_f, _("Thời gian trả lời (trung vị, giây)"), f["median_answer_seconds"],
            rules.span_vn(f["median_answer_seconds"])),
        Row("qr.scans", sec_q, _("Lượt quét mã QR của đơn vị trong kỳ"), q["scans"], num(q["scans"])),
        Row("qr.national_links_scans", sec_q, _("Lượt quét liên kết dùng chung toàn quốc trong kỳ"),
            q["national_links_scans"], num(q["national_links_scans"])),
        Row("qr.scans_total", sec_q, _("Lượt quét mã QR của đơn vị (cộng dồn)"), q["scans_total"], num(q["scans_total"])),
        Row("qr.national_links_scans_total", sec_q, _("Lượt quét liên kết dùng chung toàn quốc (cộng dồn)"),
            q["national_links_scans_total"], num(q["national_links_scans_total"])),
    ]
    u, sec_u = summary["uptime"], _("Thời gian hoạt động")
    rows += [
        Row("uptime.screens", sec_u, _("Màn hình đã kết nối (tính thời gian hoạt động)"), u["screens"],
            num(u["screens"])),
        Row("uptime.share", sec_u, _("Tỷ lệ thời gian trực tuyến"), u["share"], rules.percent_vn(u["share"])),
        Row("uptime.median_screen_share", sec_u, _("Tỷ lệ trực tuyến của màn hình (trung vị)"),
            u["median_screen_share"], rules.percent_vn(u["median_screen_share"])),
        Row("uptime.online_hours", sec_u, _("Tổng số giờ trực tuyến"), u["online_hours"], num(u["online_hours"])),
        Row("uptime.outages", sec_u, _("Số lần mất kết nối"), u["outages"], num(u["outages"])),
        Row("uptime.screens_below_90", sec_u, _("Màn hình trực tuyến dưới 90% thời gian"), u["screens_below_90"],
            num(u["screens_below_90"])),
    ]
    return rows


def qr_note() -> str:
    """Return the report's honest word on QR and uptime figures."""
    return _("Lượt quét trong kỳ được đếm theo ngày, từ khi hệ thống bắt đầu lưu số lượt quét theo ngày; số cộng dồn "
             "tính từ khi mã được tạo. Liên kết dùng chung toàn quốc (như Cổng Dịch vụ công) không chia được cho "
             "từng đơn vị. Thời gian hoạt động tính từ lần kết nối đầu tiên của mỗi màn hình; màn hình không liên "
             "lạc quá 90 giây được coi là mất kết nối.")


def local_time(iso: str) -> str:
    """Return an ISO instant as dd/mm/yyyy HH:MM in Viet Nam time."""
    return datetime.fromisoformat(iso).astimezone(rules.VN).strftime("%d/%m/%Y %H:%M")


def display_helpers(summary: dict) -> dict:
    """Return what the page and PDF templates format figures with, and the period's first and last day as written."""
    first = datetime.fromisoformat(summary["period"]["from"]).strftime("%d/%m/%Y")
    last = datetime.fromisoformat(summary["period"]["to"]).strftime("%d/%m/%Y")
    return {"percent": rules.percent_vn, "span": rules.span_vn, "when": local_time, "first": first, "last": last}


def filename(summary: dict, fmt: str) -> str:
    """Return the download's file name: bao-cao_<unit>_<from>_<to>.<fmt> (ASCII, so every browser keeps it)."""
    period = summary["period"]
    return f"bao-cao_{summary['unit']['code']}_{period['from']}_{period['to']}.{fmt}"


def csv_bytes(summary: dict) -> bytes:
    """Return the summary as CSV in UTF-8 with a BOM (Excel then reads Vietnamese right): key, section, label, value."""
    lines = [
        ["key", _("Mục"), _("Chỉ tiêu"), _("Giá trị")],
        ["unit.code", _("Đơn vị"), summary["unit"]["name"], summary["unit"]["code"]],
        ["period.from", _("Kỳ báo cáo"), _("Từ ngày"), summary["period"]["from"]],
        ["period.to", _("Kỳ báo cáo"), _("Đến ngày"), summary["period"]["to"]],
    ]
    lines += [[row.key, row.section, row.label, "" if row.value is None else row.value] for row in summary_rows(summary)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(safe_row(line) for line in lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def append_safe(sheet, values: list) -> None:
    """Append one row to an openpyxl `sheet` whose text cells are text, never a formula (domain/spreadsheet.py)."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row] if values else ():
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl reads a leading "=" as a formula; safe_row leaves none, this says so


def xlsx_bytes(summary: dict) -> bytes:
    """Return the summary as an Excel workbook: the figures, then one sheet per alert list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng hợp")[:31]
    bold = Font(bold=True)
    append_safe(sheet, [_("Báo cáo tổng hợp bảng tin điện tử công cộng")])
    sheet["A1"].font = Font(bold=True, size=14)
    append_safe(sheet, [_("Đơn vị"), f"{summary['unit']['name']} ({summary['unit']['code']})"])
    append_safe(sheet, [_("Kỳ báo cáo"), summary["period"]["label"]])
    append_safe(sheet, [])
    append_safe(sheet, [_("Mục"), _("Chỉ tiêu"), _("Giá trị"), _("Mã chỉ tiêu")])
    for cell in sheet[5]:
        cell.font = bold
    for row in summary_rows(summary):
        append_safe(sheet, [row.section, row.label, row.value, row.key])
    append_safe(sheet, [])
    append_safe(sheet, [qr_note()])
    sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=False)
    for column, width in zip("ABCD", (24, 52, 14, 34), strict=True):
        sheet.column_dimensions[column].width = width

    alerts = book.create_sheet(_("Cảnh báo")[:31])
    append_safe(alerts, [_("Số"), _("Tiêu đề"), _("Cấp độ"), _("Thời điểm phát"), _("Màn hình trong vùng"),
                         _("Đã xác nhận"), _("Tỷ lệ"), _("Trung vị thời gian xác nhận (giây)")])
    for cell in alerts[1]:
        cell.font = bold
    for item in summary["alerts"]["items"]:
        append_safe(alerts, [item["id"], item["headline"], item["level"], local_time(item["raised_at"]),
                             item["screens"], item["acknowledged"], item["share"], item["median_ack_seconds"]])
    alerts.column_dimensions["B"].width = 50
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _merged_font(folder: Path, weight: int, package: Path) -> Path | None:
    """Return a TTF of Be Vietnam Pro at `weight` with all its subsets in one file, made once per instance.

    The npm package splits the font into latin, latin-ext and vietnamese files joined by CSS
    unicode-range; WeasyPrint mixes up glyphs across such split faces (the PDF read "Phól ng" for
    "Phường"), so the subsets are merged with fontTools into one face, which renders correctly.
    """
    target = folder / f"be-vietnam-pro-{weight}.ttf"
    if target.exists():
        return target
    sources = [package / f"be-vietnam-pro-{subset}-{weight}-normal.woff2" for subset in FONT_SUBSETS]
    if not all(path.exists() for path in sources):
        return None
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        plain = []
        for index, source in enumerate(sources):
            font = TTFont(source)
            font.flavor = None
            plain.append(str(Path(work) / f"{index}.ttf"))
            font.save(plain[-1])
        merged = Merger().merge(plain)
        partial = Path(work) / "merged.ttf"
        merged.save(partial)
        os.replace(partial, target)  # atomic: several processes may build it at once
    return target


def fonts_folder() -> Path:
    """Return the folder of this instance's merged report fonts: the only place a PDF may load anything from."""
    return Path(current_app.instance_path) / "report-fonts"


def font_faces() -> str:
    """Return the @font-face rules for the PDF: the self-hosted Be Vietnam Pro (never a CDN), if installed."""
    package = Path(current_app.root_path).parent / FONT_PACKAGE
    folder = fonts_folder()
    rules_css = []
    for weight in (400, 700):
        path = _merged_font(folder, weight, package)
        if path is not None:
            rules_css.append(f"@font-face {{ font-family: 'Be Vietnam Pro'; font-weight: {weight}; "
                             f"src: url('{path.as_uri()}'); }}")
    return "\n".join(rules_css)


def pdf_bytes(summary: dict, now: datetime) -> bytes:
    """Return the summary as an A4 PDF in Vietnamese: the national heading, the unit, the period, figures and charts."""
    html = render_template(
        "reports/summary_pdf.html", summary=summary, rows=summary_rows(summary),
        charts=report_charts.summary_charts(summary), qr_note=qr_note(), today=now.astimezone(rules.VN),
        place=place_name(summary["unit"]["name"]), **display_helpers(summary),
    )
    return pdf_from_html(html)


def pdf_from_html(html: str) -> bytes:
    """Return `html` (a whole document naming no file or URL) as PDF, with the self-hosted Vietnamese font."""
    with _pillow_as_it_was():
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # WeasyPrint's own fetcher opens any file:// or http(s) address a document names; a text that
    # reaches a template one day (a headline, a feed's item) must not read the server's files.
    fetcher = fonts_only_fetcher(fonts_folder())
    stylesheet = CSS(string=font_faces(), font_config=fonts, url_fetcher=fetcher)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def path_of(url: str) -> str | None:
    """Return the local path a file:// URL names (on this host), or None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return url2pathname(parts.path)


def fetchable(url: str, folder: Path) -> bool:
    """Return whether a report may load `url`: only a font file (.ttf) directly in `folder`, after resolving links."""
    path = path_of(url)
    if path is None:
        return False
    resolved = Path(path).resolve()
    return resolved.suffix == ".ttf" and resolved.parent == folder.resolve()


def fonts_only_fetcher(folder: Path):
    """Return a WeasyPrint URL fetcher that opens `fetchable` URLs and refuses every other (nothing is read)."""
    from weasyprint.urls import URLFetcher  # already imported by pdf_from_html, Pillow put back

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not fetchable(url, folder):
                raise ValueError(f"a report loads only its fonts, not {url[:80]}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",), allow_redirects=False)


@contextmanager
def _pillow_as_it_was() -> Iterator[None]:
    """Undo what importing WeasyPrint does to Pillow for the whole process: it sets LOAD_TRUNCATED_IMAGES.

    With that flag on, the media probe would accept half an uploaded photo (the rest drawn grey) instead
    of refusing it. Our PDFs name no image file, so they lose nothing by Pillow staying strict.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
