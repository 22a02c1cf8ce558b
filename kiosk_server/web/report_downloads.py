"""The summary report as a download, for the officer page and the API alike."""

from __future__ import annotations

from datetime import datetime

from flask import Response

from kiosk_server.services.reports import posting, report_files


def file_response(summary: dict, fmt: str, now: datetime) -> Response:
    """Return the summary as an attachment in `fmt` (csv, xlsx or pdf), never cached by a shared proxy."""
    build = {"csv": report_files.csv_bytes, "xlsx": report_files.xlsx_bytes,
             "pdf": lambda s: report_files.pdf_bytes(s, now)}[fmt]
    response = Response(build(summary))
    response.headers["Content-Type"] = report_files.FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{report_files.filename(summary, fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def posting_response(record: dict, fmt: str, now: datetime, prepared_by: str | None = None) -> Response:
    """Return a notice's posting record as an attachment in `fmt` (csv or pdf), never cached by a shared proxy."""
    response = Response(posting.file_bytes(record, fmt, now, prepared_by))
    response.headers["Content-Type"] = posting.FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{posting.filename(record, fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
