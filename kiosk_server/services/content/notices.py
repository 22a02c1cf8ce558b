"""Notices: what a notice holds, what it may reference, and how the API shows it.

Creating, versioned editing and the workflow draft → submitted → published → withdrawn/expired are
the one workflow of every approvable kind (services/content/workflow.py), bound here to notices: `NOTICE`
says what differs, and `notices.approve(notice, actor)` and its siblings are that workflow's steps.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Category, Notice, NoticeRevision, Source, SourceItem, User, notice_media
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content import workflow
from kiosk_server.services.content.notice_input import read_notice
from kiosk_server.services.core import public_urls, scope
from kiosk_server.services.core.errors import NotFound, ValidationFailed
from kiosk_server.services.screens import publish, targeting

# --- reading ------------------------------------------------------------------------------------

def get_notice(notice_id: int) -> Notice:
    """Return the notice with `notice_id` or raise NotFound."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(_l("Không tìm thấy thông báo số %(id)s.", id=notice_id))
    return notice


def head(notice: Notice) -> NoticeRevision:
    """Return the latest revision (what editors see)."""
    return workflow.head(NOTICE, notice)


def revision(notice: Notice, version: int) -> NoticeRevision:
    """Return revision `version` of `notice`."""
    return workflow.revision(NOTICE, notice, version)


def public_url(notice: Notice, base: str | None = None) -> str:
    """Return the URL of the notice's public page: under KIOSK_PUBLIC_URL, else `base` (the web's request)."""
    path = f"/n/{notice.id}"
    return public_urls.public_url(path, base) or path


def notice_json(notice: Notice, base: str | None = None) -> dict:
    """Return the notice as the API shows it: the head's content plus workflow facts (`base`: see public_url).
    """
    content = head(notice).content
    return {
        **workflow.facts_json(notice),
        **{k: content.get(k) for k in (
            "title", "body", "category", "priority", "language", "translations", "duration_s",
            "media_ids", "qr_url", "targets",
        )},
        **content["rules"],
        "public_url": public_url(notice, base),
        "source": source_of(notice.id),
    }


def source_of(notice_id: int) -> dict | None:
    """Return `{id, name, link}` of the upstream source a notice came from, or None.

    Read from the sources' tables directly: services.sources writes notices through this module, so
    asking it back would make a circle.
    """
    row = db.session.execute(select(Source.id, Source.name, SourceItem.link)
                             .join(SourceItem, SourceItem.source_id == Source.id)
                             .where(SourceItem.notice_id == notice_id)).first()
    return {"id": row[0], "name": row[1], "link": row[2]} if row else None


def source_authors(notice: Notice) -> set[int]:
    """Return the officers who answer for the source a notice came from (none when typed by an officer).

    Whoever created the source or last set its address, unit, targets or class wrote what it brings, so
    for the two-person rule they are the notice's authors too.
    """
    source = db.session.scalar(select(Source).join(SourceItem, SourceItem.source_id == Source.id)
                               .where(SourceItem.notice_id == notice.id))
    return source.author_ids() if source else set()


# --- checks -------------------------------------------------------------------------------------

def _check_references(fields: dict, actor: User) -> None:
    """Refuse units, targets, media or a category that do not exist or lie outside the actor's scope."""
    errors: dict[str, Any] = {}
    unit = scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, unit.code)
    category = db.session.get(Category, fields["category"])
    if category is None or not category.active:
        errors["category"] = _l("Chuyên mục “%(code)s” không có trong danh sách.", code=fields["category"])

    targeting.check_targets(fields["targets"], unit.code, actor, errors)
    for media_id in fields["media_ids"]:
        item = media_service.find_media(media_id)
        if item is None or not scope.in_scope(actor, item.unit_code):
            errors["media_ids"] = _l("Không có tệp media số %(id)s trong phạm vi của bạn.", id=media_id)
    if errors:
        raise ValidationFailed(_l("Thông báo chưa hợp lệ; xem lỗi của từng trường."), errors)


# --- the kind -------------------------------------------------------------------------------------

NOTICE = workflow.Approvable(
    name="notice", model=Notice, revision_model=NoticeRevision, owner_key="notice_id",
    read=read_notice, check_references=_check_references,
    content_keys=("title", "body", "unit_code", "category", "priority", "language", "translations", "duration_s",
                  "media_ids", "qr_url"),
    head_columns=("title", "body", "category", "priority", "language"),
    members=notice_media, members_of=lambda content: [{"media_id": m} for m in content["media_ids"]],
    changed=publish.notice_changed, summary=lambda fields: {"title": fields["title"]}, authors=source_authors,
    words=workflow.Words(
        noun=_l("thông báo"),
        expired=_l("Thông báo đã hết hạn hiển thị; hãy sửa thời điểm kết thúc trước khi duyệt."),
        not_on_screens=_l("Thông báo này không đang hiển thị nên không cần gỡ."),
    ),
)
create_notice, update_notice, submit, approve, reject, withdraw, expire_due = workflow.operations(NOTICE)
