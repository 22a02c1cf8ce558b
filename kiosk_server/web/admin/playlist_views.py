"""Playlists (chương trình phát) in the officer UI: the list, one playlist with its workflow, and the editor.

Every change goes through `services.playlists`, exactly as the API's does; a refusal (a clash of
exclusive playlists, a self-approval) comes back as a ServiceError shown beside the fields or in a flash.
"""

from __future__ import annotations

from math import ceil

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from kiosk_server import themes
from kiosk_server.domain import roles, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services import lookup, playlists, preview, scope
from kiosk_server.services.errors import ServiceError, StaleVersion
from kiosk_server.services.notices import STATUS_LABELS
from kiosk_server.web import paging
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin import playlist_forms as pf
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.notice_editor_views import _preview_themes
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


# --- the editor -----------------------------------------------------------------------------------

@permission_required("edit_content")
def playlist_new():
    form = pf.PlaylistForm()
    pf.prepare(form, current_user)
    if request.method == "GET":
        form.unit_code.data = current_user.unit_code or (form.unit_code.choices[0].value
                                                         if form.unit_code.choices else "")
        return _editor(form, None, nf.hour_rows([]), [])
    return _save(form, None)


@permission_required("edit_content")
def playlist_edit(playlist_id: int):
    playlist = lookup.get_visible(Playlist, playlist_id, current_user)
    form = pf.PlaylistForm()
    pf.prepare(form, current_user)
    if request.method == "GET":
        hours, rows = pf.fill(form, playlists.head(playlist).content, playlist.version)
        nf.keep_selected(form)
        return _editor(form, playlist, nf.hour_rows(hours), rows)
    return _save(form, playlist)


@permission_required("edit_content")
def playlist_preview_manifest(playlist_id: int | None = None):
    """The manifest of the editor as posted (JSON), for the player previewing its loop; nothing is saved."""
    playlist = lookup.get_visible(Playlist, playlist_id, current_user) if playlist_id is not None else None
    form = pf.PlaylistForm()
    pf.prepare(form, current_user)
    if not form.validate():  # only the CSRF token is checked here
        return jsonify(error={"code": "bad_request", "message": _("Phiên làm việc đã hết hạn; hãy tải lại trang.")}), 400
    hours = nf.posted_rows(request.form, "hours", ("start", "end"), 12)
    body, _errors = pf.to_body(form, hours, pf.posted_items(request.form))
    theme = request.form.get("preview_theme", "")
    manifest = preview.playlist_preview_manifest(body, current_user, playlist,
                                                 theme=theme if themes.exists(theme) else themes.DEFAULT)
    response = jsonify(manifest)
    response.headers["Cache-Control"] = "no-store"
    return response


def _save(form: pf.PlaylistForm, playlist: Playlist | None):
    nf.keep_selected(form)
    hours = nf.posted_rows(request.form, "hours", ("start", "end"), 12)
    rows = pf.posted_items(request.form)
    if not form.validate():  # only the CSRF token is checked here
        return _editor(form, playlist, nf.hour_rows(hours), rows), 400
    if pf.apply_button(rows, request.form):
        return _editor(form, playlist, nf.hour_rows(hours), rows)
    body, read_errors = pf.to_body(form, hours, rows)
    try:
        if playlist is None:
            playlist = playlists.create_playlist(body, current_user)
            flash(_("Đã lưu bản nháp chương trình “%(name)s” (phiên bản 1).", name=playlist.name), "success")
        else:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else 0
            playlists.update_playlist(playlist, body, expected, current_user)
            flash(_("Đã lưu chương trình “%(name)s” thành phiên bản %(version)d.", name=playlist.name,
                    version=playlist.version), "success")
    except StaleVersion as error:
        db.session.rollback()
        flash(_("%(reason)s Nội dung bạn vừa nhập vẫn còn nguyên bên dưới: bấm Lưu lần nữa nếu vẫn muốn thay "
                "bằng nội dung của bạn.", reason=str(error.message)), "error")
        form.version.data = str(playlist.version)
        return _editor(form, playlist, nf.hour_rows(hours), rows), 412
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _editor(form, playlist, nf.hour_rows(hours), rows, errors={**error.fields, **read_errors}), 422
    if request.form.get("action") == "submit":
        try:
            playlists.submit(playlist, current_user)
            flash(_("Đã gửi duyệt; cán bộ duyệt tin sẽ xem xét trước khi phát lên màn hình."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(url_for("admin.playlist", playlist_id=playlist.id))


def _editor(form: pf.PlaylistForm, playlist: Playlist | None, hours: list[dict], rows: list[dict], *,
            errors: dict | None = None):
    extra = {}
    for name, message in (errors or {}).items():
        field = getattr(form, name, None)
        if name == "version":
            continue
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), str(message)]
        else:
            extra[name] = str(message)
    items = pf.shown_rows(rows)
    return render_template(
        "admin/playlist_form.html", form=form, playlist=playlist, hours=hours, items=items, extra_errors=extra,
        loop_s=sum(i["seconds"] or 0 for i in items if i["plays"]), notices=pf.notice_picker(current_user),
        media=pf.media_picker(current_user), modes=pf.MODE_CHOICES, options=nf.options,
        option_groups=nf.option_groups, day_names=nf.DAY_NAMES, seconds_text=nf.seconds_text,
        status_labels=PLAYLIST_STATUS, preview_themes=_preview_themes(),
    )
