"""The playlist editor: write or edit a playlist, with the player previewing its loop beside the form.

What is the playlist's own is described here (its form, its items and their pickers, the buttons that
order items without scripts); editor_views.py runs the flow it shares with the notice editor.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server.models import Playlist, User
from kiosk_server.services.content import playlists
from kiosk_server.services.read_models import lookup, preview
from kiosk_server.web.admin import editor_fields as ef
from kiosk_server.web.admin import editor_views
from kiosk_server.web.admin import playlist_forms as pf
from kiosk_server.web.admin.access import permission_required


@permission_required("edit_content")
def playlist_new():
    return editor_views.new(EDITOR)


@permission_required("edit_content")
def playlist_edit(playlist_id: int):
    return editor_views.edit(EDITOR, lookup.get_visible(Playlist, playlist_id, current_user))


@permission_required("edit_content")
def playlist_preview_manifest(playlist_id: int | None = None):
    """The manifest of the editor as posted (JSON), for the player previewing its loop; nothing is saved."""
    playlist = lookup.get_visible(Playlist, playlist_id, current_user) if playlist_id is not None else None
    return editor_views.preview_manifest(EDITOR, playlist)


def _form(user: User) -> pf.PlaylistForm:
    form = pf.PlaylistForm()
    ef.prepare_targets(form, user)
    return form


def _saved(playlist: Playlist, created: bool) -> str:
    if created:
        return _("Đã lưu bản nháp chương trình “%(name)s” (phiên bản 1).", name=playlist.name)
    return _("Đã lưu chương trình “%(name)s” thành phiên bản %(version)d.", name=playlist.name, version=playlist.version)


def _context(form: pf.PlaylistForm, playlist: Playlist | None, rows: dict[str, list[dict]]) -> dict:
    items = pf.shown_rows(rows["items"], current_user)
    return {
        "items": items, "loop_s": sum(i["seconds"] or 0 for i in items if i["plays"]),
        "notices": pf.notice_picker(current_user), "media": pf.media_picker(current_user), "modes": pf.MODE_CHOICES,
    }


EDITOR = editor_views.Editor(
    template="admin/playlist_form.html", record_name="playlist", form=_form,
    blank=lambda form: {"hours": [], "items": []},
    fill=lambda form, playlist: pf.fill(form, playlists.head(playlist).content, playlist.version), posted=pf.posted,
    redraw=pf.apply_button, to_body=pf.to_body, create=playlists.create_playlist, update=playlists.update_playlist,
    submit=playlists.submit, head=playlists.head, saved=_saved,
    page=lambda playlist: url_for("admin.playlist", playlist_id=playlist.id), context=_context,
    manifest=lambda body, playlist, theme: preview.playlist_preview_manifest(body, current_user, playlist, theme=theme),
)
