"""The editors' one flow, for notices and playlists: fill, check, save, submit, preview.

Each editor describes what is its own in an `Editor` (its form, its rows, its body, its service, its
page); the functions here run the rest the same way for both: the form posts the API's body to the
service, a stale version (412) draws the officer's input again with the reason, field errors (422)
appear beside their fields, "save and submit" sends the saved draft for approval, and the preview
manifest answers the form as posted, guarded by its CSRF token, saving nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from kiosk_server import themes
from kiosk_server.extensions import db
from kiosk_server.models import User
from kiosk_server.services.content.workflow import STATUS_LABELS
from kiosk_server.services.core.errors import ServiceError, StaleVersion
from kiosk_server.web.admin import editor_fields as ef

Rows = dict[str, list[dict]]  # the rows posted as name-N-key, by name ("hours", "translations", "items")


@dataclass(frozen=True)
class Editor:
    """What one kind's editor holds of its own; the flow is the functions of this module."""

    template: str  # the page, which gets the record as `record_name`
    record_name: str
    form: Callable[[User], FlaskForm]  # a form with the choices the officer may pick
    blank: Callable[[FlaskForm], Rows]  # a new draft's defaults put in the form; its rows
    fill: Callable[[FlaskForm, Any], Rows]  # the record's head revision put in the form; its rows
    posted: Callable[[Any], Rows]  # the rows as posted
    redraw: Callable[[Rows, Any], bool]  # True for a button that only draws the page again (with the rows it changed)
    to_body: Callable[[FlaskForm, Rows], tuple[dict, dict]]  # the API's body, and errors of reading it
    create: Callable[[dict, User], Any]
    update: Callable[[Any, dict, int, User], Any]
    submit: Callable[[Any, User], Any]
    head: Callable[[Any], Any]  # the record's newest revision
    saved: Callable[[Any, bool], str]  # the message once saved (True: as a new draft)
    page: Callable[[Any], str]  # the record's page, where saving leads
    context: Callable[[FlaskForm, Any, Rows], dict]  # what else the page draws (its own rows, pickers, preview)
    manifest: Callable[[dict, Any, str], dict]  # the preview manifest of a body, with the theme picked


def new(editor: Editor):
    """The editor of a new draft: its defaults, or the post saved as one."""
    form = editor.form(current_user)
    if request.method == "GET":
        ef.default_unit(form, current_user)
        return _page(editor, form, None, editor.blank(form))
    return _save(editor, form, None)


def edit(editor: Editor, record):
    """The editor of `record`: its head revision, or the post saved as its next one."""
    form = editor.form(current_user)
    if request.method == "GET":
        rows = editor.fill(form, record)
        ef.keep_selected(form, current_user)
        return _page(editor, form, record, rows)
    return _save(editor, form, record)


def preview_manifest(editor: Editor, record):
    """The manifest of the form as posted (JSON), for the player previewing it beside the editor.

    The form's CSRF token guards it like any post; nothing is saved.
    """
    form = editor.form(current_user)
    if not form.validate():  # only the CSRF token is checked here
        return jsonify(error={"code": "bad_request", "message": _("Phiên làm việc đã hết hạn; hãy tải lại trang.")}), 400
    body, _errors = editor.to_body(form, editor.posted(request.form))
    theme = request.form.get("preview_theme", "")
    response = jsonify(editor.manifest(body, record, theme if themes.exists(theme) else themes.DEFAULT))
    response.headers["Cache-Control"] = "no-store"
    return response


def _save(editor: Editor, form: FlaskForm, record):
    ef.keep_selected(form, current_user)
    rows = editor.posted(request.form)
    if not form.validate():  # only the CSRF token is checked here
        return _page(editor, form, record, rows), 400
    if editor.redraw(rows, request.form):
        return _page(editor, form, record, rows)
    body, read_errors = editor.to_body(form, rows)
    created = record is None
    try:
        if created:
            record = editor.create(body, current_user)
        else:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else 0
            editor.update(record, body, expected, current_user)
        flash(editor.saved(record, created), "success")
    except StaleVersion as error:
        db.session.rollback()
        flash(_("%(reason)s Nội dung bạn vừa nhập vẫn còn nguyên bên dưới: hãy xem phiên bản hiện tại, "
                "rồi bấm Lưu lần nữa nếu vẫn muốn thay bằng nội dung của bạn.", reason=str(error.message)), "error")
        form.version.data = str(record.version)
        return _page(editor, form, record, rows, conflict=True), 412
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(editor, form, record, rows, errors={**error.fields, **read_errors}), 422
    if request.form.get("action") == "submit":
        try:
            editor.submit(record, current_user)
            flash(_("Đã gửi duyệt; cán bộ duyệt tin sẽ xem xét trước khi phát lên màn hình."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(editor.page(record))


def _page(editor: Editor, form: FlaskForm, record, rows: Rows, *, errors: dict | None = None, conflict: bool = False):
    """Draw the editor, each error beside its field (or its group of fields)."""
    extra = {}
    for name, message in (errors or {}).items():
        field = getattr(form, name, None)
        if name == "version":
            continue  # a number for API clients; the flash says it in words
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), str(message)]
        else:
            extra[name] = str(message)
    return render_template(
        editor.template, form=form, **{editor.record_name: record}, hours=ef.hour_rows(rows["hours"]),
        extra_errors=extra, conflict=conflict, current_head=editor.head(record) if conflict and record else None,
        options=ef.options, option_groups=ef.option_groups, day_names=ef.DAY_NAMES, seconds_text=ef.seconds_text,
        status_labels=STATUS_LABELS, preview_themes=preview_themes(), **editor.context(form, record, rows),
    )


def preview_themes() -> list[dict]:
    """Return the installed themes for the preview's picker, each with the size its screen is drawn at."""
    shown = []
    for name in themes.available():
        theme = themes.load(name)
        wide, high = (int(x) for x in str(theme.get("aspect") or "16:9").split(":"))
        # Drawn at a real screen's size (1920 on the long side): the player sizes type in vh.
        scale = 1920 / max(wide, high)
        width, height = round(wide * scale), round(high * scale)
        shown.append({"name": name, "title": theme.get("title") or name, "width": width, "height": height})
    return shown
