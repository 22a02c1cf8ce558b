"""The public page of a notice: what a citizen's phone opens from a QR code."""

from __future__ import annotations

from flask import abort, render_template

from kiosk_server.domain import schedule
from kiosk_server.services.content import notices


def notice_page(notice_id: int):
    notice = notices.get_notice(notice_id) if notice_id > 0 else None
    if notice is None or notice.published_version is None:
        abort(404)
    content = notices.revision(notice, notice.published_version).content
    rules = schedule.rules_from_json(content["rules"])
    attachments = []
    if content["media_ids"]:
        from kiosk_server.services.content import media as media_service

        playables = media_service.playables_by_id(set(content["media_ids"]))
        attachments = [p for m in content["media_ids"] for p in playables.get(m, [])]
    return render_template(
        "public/notice.html", notice=notice, content=content, rules=rules, attachments=attachments
    )
