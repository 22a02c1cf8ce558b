"""The playlist editor: write or edit a playlist, with the player previewing its loop beside the form.

The form posts the API's playlist body to `services.playlists`; a stale version (412) re-renders the
officer's input with the reason, and field errors appear beside their fields.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server import themes
from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services import lookup, playlists, preview
from kiosk_server.services.errors import ServiceError, StaleVersion
from kiosk_server.services.notices import STATUS_LABELS
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin import playlist_forms as pf
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.notice_editor_views import _preview_themes

PLAYLIST_STATUS = STATUS_LABELS


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
