"""Screens from a spreadsheet: an officer uploads a CSV (name, unit code, groups) and gets every token once."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice

from kiosk_server.domain import kiosk_csv
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.screens import kiosks
from kiosk_server.web.admin.access import permission_required

MAX_FILE_BYTES = 512 * 1024  # 5,000 screens with long names and groups fit in far less

PROBLEMS = {
    "empty": _l("Tệp không có dòng màn hình nào."),
    "no_columns": _l("Dòng đầu của tệp phải có các cột “name” (tên màn hình) và “unit_code” (mã đơn vị); "
                     "cột “groups” (nhóm, cách nhau bởi dấu ;) không bắt buộc."),
    "too_many": _l("Mỗi lần chỉ nhập được tối đa %(n)d màn hình.", n=kiosk_csv.MAX_ROWS),
}


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV danh sách màn hình"), validators=[FileRequired(_l("Hãy chọn tệp CSV."))])
    answer = RadioField(_l("Nhận mã của các màn hình"), default="page", choices=[
        SelectChoice("page", _l("Hiện trên trang này (chỉ một lần)")),
        SelectChoice("file", _l("Tải về tệp CSV (chỉ một lần)"))])


def _read_upload(form: ImportForm) -> tuple[list[dict], str | None]:
    data = form.file.data.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return [], _("Tệp quá lớn (tối đa %(n)d KB).", n=MAX_FILE_BYTES // 1024)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], _("Tệp phải được lưu theo mã UTF-8 (trong Excel: Lưu thành → CSV UTF-8).")
    sheet = kiosk_csv.read_sheet(text)
    return sheet.rows, str(PROBLEMS[sheet.problem]) if sheet.problem else None


def _row_errors(error: ServiceError) -> list[tuple[int, str]]:
    rows = []
    for key, message in error.fields.items():
        number = key.removeprefix("rows.")
        rows.append((int(number) if number.isdigit() else 0, str(message)))
    return sorted(rows)


@permission_required("manage_kiosks")
def kiosk_import():
    form = ImportForm()
    problem, row_errors, made = None, [], []
    if form.validate_on_submit():
        rows, problem = _read_upload(form)
        if not problem:
            try:
                made = kiosks.provision_many(rows, actor=current_user)
            except ServiceError as error:
                problem, row_errors = str(error.message), _row_errors(error)
    player = url_for("kiosk.player", _external=True)
    listed = [(k.id, k.name, k.unit_code, sorted(g.name for g in k.groups), t) for k, t in made]
    if made and form.answer.data == "file":
        body = kiosk_csv.tokens_csv(listed, lambda token: f"{player}#token={token}")
        return Response("\ufeff" + body, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="man-hinh-moi.csv"', "Cache-Control": "no-store"})
    status = 422 if (form.errors or problem) else (201 if made else 200)
    response = Response(render_template("admin/kiosk_import.html", form=form, problem=problem, row_errors=row_errors,
                                        made=listed, player=player), status=status)
    response.headers["Cache-Control"] = "no-store"  # tokens on the page are shown once, never cached
    return response


@permission_required("manage_kiosks")
def kiosk_import_sample():
    sample = kiosk_csv.sample_csv(current_user.unit_code or "02215")
    return Response("\ufeff" + sample, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-man-hinh.csv"'})
