"""Biên bản niêm yết: a notice's posting record as a page, and as CSV and an A4 PDF paper.

The API (web/api/reports.py) reads the same service, scoped the same way: a notice outside the
officer's scope answers 404 as if it did not exist.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from kiosk_server.models.base import utcnow
from kiosk_server.services.reports import posting
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.report_downloads import posting_response


@permission_required("read")
def posting_page(notice_id: int):
    record = posting.posting_record(current_user, notice_id)
    return render_template("admin/posting.html", record=record, **posting.display_helpers(record))


@permission_required("read")
def posting_download(notice_id: int, fmt: str):
    if fmt not in posting.FORMATS:
        abort(404)
    now = utcnow()
    record = posting.posting_record(current_user, notice_id, now=now)
    return posting_response(record, fmt, now, current_user.name or current_user.email)
