"""The notice editor's form, and the translation between it and the API's notice body.

The form checks nothing but its CSRF token: it builds the same dict the API takes
(`services.notice_input.FIELDS`) and lets `services.notices` judge every field, so the UI and the
API refuse the same input with the same Vietnamese messages. What a playlist's form shares with it
(targets, schedule, posted rows) is in editor_fields.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from kiosk_server.extensions import db
from kiosk_server.models import Media, User
from kiosk_server.services.content import categories
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content.notice_input import MAX_TRANSLATIONS
from kiosk_server.services.read_models import lookup
from kiosk_server.web.admin import editor_fields as ef

# Re-exported for the notice and playlist pages that still import them from here.
from kiosk_server.web.admin.editor_fields import DAY_NAMES as DAY_NAMES
from kiosk_server.web.admin.editor_fields import grouped as grouped
from kiosk_server.web.admin.editor_fields import seconds_text as seconds_text

MIN_TRANSLATION_ROWS = 2
# The picker lists the newest media in scope; older files are found in the media library.
MEDIA_LISTED = 60

PRIORITY_CHOICES = (
    ("normal", _l("Thông thường"), _l("Phát theo lịch của xã, lần lượt với các tin khác.")),
    ("priority", _l("Ưu tiên"), _l("Phát trước trong chương trình, trước các tin thông thường.")),
    ("emergency", _l("Khẩn cấp"), _l("Phát ngay, ngắt mọi nội dung đang phát.")),
)
PRIORITY_LABELS = {code: label for code, label, _ in PRIORITY_CHOICES}
# Suggestions only: any language code the API accepts may be typed. ISO 639 codes.
LANGUAGE_SUGGESTIONS = (
    ("km", _l("Khmer")),
    ("tyz", _l("Tày")),
    ("blt", _l("Thái Đen")),
    ("hmn", _l("H'Mông")),
    ("rad", _l("Ê Đê")),
    ("nut", _l("Nùng")),
    ("cja", _l("Chăm")),
    ("en", _l("Tiếng Anh")),
)
QR_SUGGESTIONS = (
    ("https://dichvucong.gov.vn", _l("Cổng Dịch vụ công quốc gia")),
    ("https://dichvucong.gov.vn/p/phananhkiennghi/pakn-gioi-thieu.html", _l("Phản ánh, kiến nghị")),
    ("https://vneid.gov.vn", _l("VNeID")),
)


class NoticeForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Tiêu đề"))
    body = TextAreaField(_l("Nội dung"))
    category = SelectField(_l("Chuyên mục"), choices=[], validate_choice=False)
    priority = RadioField(_l("Mức ưu tiên"), choices=[SelectChoice(c, label) for c, label, _ in PRIORITY_CHOICES],
                          default="normal", validate_choice=False)
    unit_code = SelectField(_l("Đơn vị đăng tin"), choices=[], validate_choice=False)
    target_units, target_groups, target_kiosks = ef.target_fields()
    starts_at = StringField(_l("Bắt đầu hiển thị"))
    ends_at = StringField(_l("Kết thúc hiển thị"))
    days = ef.day_field()
    duration_s = StringField(_l("Thời lượng mỗi lượt (giây)"))
    qr_url = StringField(_l("Đường dẫn của mã QR"))
    media_ids = ef.CheckboxesField(_l("Ảnh, video, tài liệu đính kèm"), choices=[])
    language = StringField(_l("Ngôn ngữ của bản chính"), default="vi")


def prepare(form: NoticeForm, user: User) -> None:
    """Fill the choices of `form` with what `user` may pick: categories, units, groups, screens in scope."""
    form.category.choices = [SelectChoice(c.code, c.name) for c in categories.active_categories()]
    ef.prepare_targets(form, user)
    library = db.session.scalars(media_service.media_query(user).limit(MEDIA_LISTED)).all()
    form.media_ids.choices = [SelectChoice(str(m.id), m.original_name or f"#{m.id}") for m in library]


def media_for_picker(form: NoticeForm, user: User) -> list[dict]:
    """Return the picker's media, chosen ones first in their order, each with what the preview needs.

    The files are read through the scoped lookup: a chosen id `user` may not open (another unit's, or
    none at all) stays chosen as "#id" (`media` None), with no name, picture or address.
    """
    chosen = [int(v) for v in form.media_ids.data or [] if str(v).isdigit()]
    listed = [int(o["value"]) for o in ef.options(form.media_ids) if o["value"].isdigit()]
    order = list(dict.fromkeys(chosen + listed))
    rows = lookup.visible_rows(Media, order, user)
    return [{
        "id": m, "media": rows.get(m), "chosen": m in chosen,
        "thumb": media_service.media_url(rows[m].poster_sha256) if m in rows else None,
        "playables": [{k: p.get(k) for k in ("kind", "duration_s", "page")} for p in media_service.playables(rows[m])]
        if m in rows else [],
    } for m in order if m in rows or m in chosen]


def translation_rows(entries: list[dict]) -> list[dict]:
    """Return the translations `entries` padded with blank rows to type more in."""
    return ef.padded_rows(entries, MIN_TRANSLATION_ROWS, MAX_TRANSLATIONS, {"language": "", "title": "", "body": ""})


def posted(formdata) -> dict[str, list[dict]]:
    """Return the editor's rows as posted: hour ranges and translations."""
    return {"hours": ef.posted_hours(formdata),
            "translations": ef.posted_rows(formdata, "translations", ("language", "title", "body"), MAX_TRANSLATIONS + 1)}


def to_body(form: NoticeForm, rows: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Return the API's notice body for what the officer entered, and the errors of reading its moments.

    Nothing else is judged here: the service checks every field.
    """
    where_and_when, errors = ef.where_and_when(form, rows["hours"])
    return {
        "title": form.title.data or "",
        "body": form.body.data or "",
        "unit_code": form.unit_code.data or "",
        "category": form.category.data or "local",
        "priority": form.priority.data or "normal",
        "language": (form.language.data or "").strip() or "vi",
        **where_and_when,
        "duration_s": ef.read_number(form.duration_s.data),
        "qr_url": (form.qr_url.data or "").strip() or None,
        "media_ids": ef.read_ids(form.media_ids.data or []),
        "translations": rows["translations"],
    }, errors


def fill(form: NoticeForm, content: dict, version: int) -> dict[str, list[dict]]:
    """Put a stored revision's `content` into `form`; return its rows (hour ranges, translations)."""
    hours = ef.fill_where_and_when(form, content, version)
    form.title.data = content["title"]
    form.body.data = content["body"]
    form.category.data = content["category"]
    form.priority.data = content["priority"]
    form.language.data = content.get("language") or "vi"
    duration = content.get("duration_s")
    form.duration_s.data = "" if duration is None else f"{duration:g}"
    form.qr_url.data = content.get("qr_url") or ""
    form.media_ids.data = [str(m) for m in content.get("media_ids") or []]
    return {"hours": hours, "translations": list(content.get("translations") or [])}
