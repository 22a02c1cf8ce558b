"""Playlists (chương trình phát) in the officer UI: the list, one playlist with its workflow, and the editor.

Every change goes through `services.playlists`, exactly as the API's does; a refusal (a clash of
exclusive playlists, a self-approval) comes back as a ServiceError shown beside the fields or in a flash.
"""

from __future__ import annotations

from math import ceil

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from kiosk_server.domain import roles, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services import lookup, playlists, scope
from kiosk_server.services.errors import ServiceError
from kiosk_server.services.notices import STATUS_LABELS
from kiosk_server.web import paging
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.notice_views import _target_names
from kiosk_server.web.redirects import safe_next

PAGE_SIZE = 20
ACTIONS = ("submit", "approve", "reject", "withdraw")
PLAYLIST_STATUS = STATUS_LABELS  # the same workflow as notices


@permission_required("read")
def playlist_list():
    args = {k: request.args.get(k, "").strip() for k in ("status",)}
    page = paging.page_arg()
    query = select(Playlist).where(scope.scope_filter(current_user, Playlist.unit_code))
    if args["status"] in PLAYLIST_STATUS:
        query = query.where(Playlist.status == args["status"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(page, pages)
    rows = db.session.scalars(query.order_by(Playlist.updated_at.desc(), Playlist.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    entries = []
    for playlist in rows:
        content = playlists.head(playlist).content
        items = playlists.describe_items(content["items"])
        entries.append({"playlist": playlist, "content": content, "count": len(items),
                        "loop_s": playlists.loop_seconds(items), "rules": schedule.rules_from_json(content["rules"])})
    return render_template("admin/playlists.html", entries=entries, total=total, page=page, pages=pages, args=args,
                           status_labels=PLAYLIST_STATUS, mode_labels=playlists.MODE_LABELS,
                           day_names=nf.DAY_NAMES, seconds_text=nf.seconds_text)


@permission_required("read")
def playlist_detail(playlist_id: int):
    playlist = lookup.get_visible(Playlist, playlist_id, current_user)
    content = playlists.head(playlist).content
    items = playlists.describe_items(content["items"])
    return render_template(
        "admin/playlist.html", playlist=playlist, content=content, items=items, loop_s=playlists.loop_seconds(items),
        rules=schedule.rules_from_json(content["rules"]), targets=_target_names(content["targets"]),
        status_labels=PLAYLIST_STATUS, mode_labels=playlists.MODE_LABELS, day_names=nf.DAY_NAMES,
        seconds_text=nf.seconds_text, allowed=_allowed_actions(playlist),
        own=current_user.id in (playlist.author_id, playlists.head(playlist).created_by_id),
    )


def _allowed_actions(playlist: Playlist) -> set[str]:
    """Return the workflow buttons to offer; the service checks again when one is pressed."""
    role = current_user.role
    allowed = {"edit"} if roles.can(role, "edit_content") else set()
    if playlist.status == "draft" and roles.can(role, "edit_content"):
        allowed.add("submit")
    if playlist.status == "submitted" and roles.can(role, "approve"):
        allowed |= {"approve", "reject"}
    if playlist.published_version is not None and (
        roles.can(role, "approve") or (playlist.author_id == current_user.id and roles.can(role, "edit_content"))
    ):
        allowed.add("withdraw")
    return allowed


@permission_required("read")
def playlist_action(playlist_id: int, action: str):
    playlist = lookup.get_visible(Playlist, playlist_id, current_user)
    name = playlist.name
    try:
        if action == "submit":
            playlists.submit(playlist, current_user)
            flash(_("Đã gửi duyệt chương trình “%(name)s”.", name=name), "success")
        elif action == "approve":
            playlists.approve(playlist, current_user)
            flash(_("Đã duyệt chương trình “%(name)s”; các màn hình được cập nhật ngay.", name=name), "success")
        elif action == "reject":
            playlists.reject(playlist, request.form.get("reason", ""), current_user)
            flash(_("Đã trả lại chương trình “%(name)s” cho người soạn kèm lý do.", name=name), "success")
        elif action == "withdraw":
            playlists.withdraw(playlist, current_user)
            flash(_("Đã gỡ chương trình “%(name)s” khỏi mọi màn hình.", name=name), "success")
        else:
            abort(404)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(safe_next(request.form.get("next"), url_for("admin.playlist", playlist_id=playlist_id)))
