"""Notices in the officer UI: the list, one notice with its workflow buttons, and the approval queue.

Every change goes through `services.notices`, exactly as the API's does; a refusal comes back as a
ServiceError whose Vietnamese messages are shown beside the fields or in a flash.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from math import ceil

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from kiosk_server.domain import durations, roles, sanitise, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Notice, Playlist, User
from kiosk_server.services.content import categories, notices, workflow
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content.workflow import STATUS_LABELS
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin import workflow_panel
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.choices import unit_choices

PAGE_SIZE = 20


# --- reading ------------------------------------------------------------------------------------

def _category_names() -> dict[str, str]:
    return dict(db.session.execute(select(Category.code, Category.name)).all())


@permission_required("read")
def notice_list():
    args = {k: request.args.get(k, "").strip() for k in ("status", "unit", "category", "date")}
    page = paging.page_arg()
    query = select(Notice).where(scope.scope_filter(current_user, Notice.unit_code))
    if args["status"] in STATUS_LABELS:
        query = query.where(Notice.status == args["status"])
    if args["unit"]:
        query = query.where(Notice.unit_code.in_(scope.descendant_codes(args["unit"])))
    if args["category"]:
        query = query.where(Notice.category == args["category"])
    date_error = None
    if args["date"]:
        try:
            day_start = datetime.combine(paging.parse_day(args["date"]), time(0), schedule.VN)
        except ValueError:
            date_error = _("Ngày không hợp lệ; chọn ngày theo lịch.")
        else:
            day_end = day_start + timedelta(days=1)
            query = query.where(or_(Notice.starts_at.is_(None), Notice.starts_at < day_end),
                                or_(Notice.ends_at.is_(None), Notice.ends_at > day_start))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(page, pages)
    rows = db.session.scalars(
        query.order_by(Notice.updated_at.desc(), Notice.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return render_template(
        "admin/notices.html", notices=rows, total=total, page=page, pages=pages, args=args,
        date_error=date_error, status_labels=STATUS_LABELS,
        unit_groups=nf.grouped(unit_choices(current_user), lambda c: c.optgroup),
        category_options=[(c.code, c.name) for c in categories.active_categories()], category_names=_category_names(),
        priority_labels=nf.PRIORITY_LABELS,
    )


@permission_required("read")
def notice_detail(notice_id: int):
    notice = lookup.get_visible(Notice, notice_id, current_user)
    content = notices.head(notice).content
    published = None
    if notice.published_version is not None and notice.published_version != notice.version:
        published = notices.revision(notice, notice.published_version).content
    editor_ids = {r.created_by_id for r in notice.revisions if r.created_by_id}
    editors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(editor_ids)))} if editor_ids else {}
    rules = schedule.rules_from_json(content["rules"])
    return render_template(
        "admin/notice.html", notice=notice, content=content, published=published, rules=rules,
        revisions=list(reversed(notice.revisions)), editors=editors,
        targets=lookup.target_labels(content["targets"], current_user),
        public_url=notices.public_url(notice, request.url_root), status_labels=STATUS_LABELS, priority_labels=nf.PRIORITY_LABELS,
        category_names=_category_names(), day_names=nf.DAY_NAMES, panel=workflow_panel.panel(notices.NOTICE, notice),
        auto_duration=_auto_duration(content), seconds_text=nf.seconds_text,
        source=notices.source_of(notice.id),
    )


def _auto_duration(content: dict) -> float:
    """Return the display time the manifest will use when the notice sets none."""
    by_id = media_service.playables_by_id(content["media_ids"]) if content["media_ids"] else {}
    playables = [p for m in content["media_ids"] for p in by_id.get(m, [])]
    return durations.default_duration_s(content["title"] + " " + sanitise.plain_text(content["body"]), playables)


# --- the workflow ---------------------------------------------------------------------------------

PANEL = workflow_panel.PanelWords(
    name_column="title", what=_l("“%(name)s”"),
    approved=_l("Đã duyệt và phát hành %(what)s; các màn hình được cập nhật ngay."))



@permission_required("approve")
def approvals():
    queue = paging.paginate(
        select(Notice).where(scope.scope_filter(current_user, Notice.unit_code), Notice.status == "submitted")
        .order_by(Notice.updated_at.asc(), Notice.id.asc()), PAGE_SIZE)
    entries = []
    for notice in queue.items:
        content = notices.head(notice).content
        # The buttons are the workflow's own answer for this officer, as on the notice's page.
        offered = workflow.offered_actions(notices.NOTICE, notice, current_user)
        entries.append({"notice": notice, "content": content, "offered": offered,
                        "rules": schedule.rules_from_json(content["rules"]),
                        "excerpt": sanitise.plain_text(content["body"])})
    # Playlists wait for the same approvers; they are listed here and approved on their own page.
    waiting_playlists = db.session.scalars(
        select(Playlist).where(scope.scope_filter(current_user, Playlist.unit_code), Playlist.status == "submitted")
        .order_by(Playlist.updated_at.asc(), Playlist.id.asc()).limit(PAGE_SIZE)).all()
    return render_template("admin/approvals.html", entries=entries, priority_labels=nf.PRIORITY_LABELS,
                           category_names=_category_names(), page=queue.page, pages=queue.pages,
                           waiting_playlists=waiting_playlists)


def nav_context() -> dict:
    """Give every template `pending_approvals()`: the queue length (notices and playlists) the nav shows to approvers."""

    def pending_approvals() -> int:
        if not current_user.is_authenticated or not roles.can(current_user.role, "approve"):
            return 0
        return sum(db.session.scalar(
            select(func.count()).select_from(model)
            .where(scope.scope_filter(current_user, model.unit_code), model.status == "submitted")
        ) for model in (Notice, Playlist))

    return {"pending_approvals": pending_approvals}
