"""Playlists (chương trình phát) in the officer UI: the list, one playlist with its workflow, and the editor.

Every change goes through `services.playlists`, exactly as the API's does; a refusal (a clash of
exclusive playlists, a self-approval) comes back as a ServiceError shown beside the fields or in a flash.
"""

from __future__ import annotations

from math import ceil

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from kiosk_server.domain import schedule
from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services.content import playlists
from kiosk_server.services.content.workflow import STATUS_LABELS
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup, playlist_items
from kiosk_server.web import paging
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin import workflow_panel
from kiosk_server.web.admin.access import permission_required

PAGE_SIZE = 20
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
        items = playlist_items.describe_items(content["items"], current_user)
        entries.append({"playlist": playlist, "content": content, "count": len(items),
                        "loop_s": playlists.loop_seconds(items), "rules": schedule.rules_from_json(content["rules"])})
    return render_template("admin/playlists.html", entries=entries, total=total, page=page, pages=pages, args=args,
                           status_labels=PLAYLIST_STATUS, mode_labels=playlists.MODE_LABELS,
                           day_names=nf.DAY_NAMES, seconds_text=nf.seconds_text)


@permission_required("read")
def playlist_detail(playlist_id: int):
    playlist = lookup.get_visible(Playlist, playlist_id, current_user)
    content = playlists.head(playlist).content
    items = playlist_items.describe_items(content["items"], current_user)
    return render_template(
        "admin/playlist.html", playlist=playlist, content=content, items=items, loop_s=playlists.loop_seconds(items),
        rules=schedule.rules_from_json(content["rules"]), targets=lookup.target_labels(content["targets"], current_user),
        status_labels=PLAYLIST_STATUS, mode_labels=playlists.MODE_LABELS, day_names=nf.DAY_NAMES,
        seconds_text=nf.seconds_text, panel=workflow_panel.panel(playlists.PLAYLIST, playlist),
    )


PANEL = workflow_panel.PanelWords(
    name_column="name", what=_l("chương trình “%(name)s”"),
    approved=_l("Đã duyệt %(what)s; các màn hình được cập nhật ngay."))

