"""The raise-an-alert form, and the translation between it and the API's alert body.

Like the notice editor, the form checks nothing but its CSRF token and a few things only a form can
get wrong (a translation half filled in, nothing picked where a choice is needed): it builds the
dict `POST /api/v1/alerts` takes and lets `services.alerts` judge every field, so the UI and the API
refuse the same input with the same Vietnamese messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from kiosk_server.domain import hazards, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Unit, User
from kiosk_server.services.alerts import alerts
from kiosk_server.services.core import scope
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.editor_fields import CheckboxesField

DEFAULT_HOURS = 6
QUICK_HOURS = (1, 3, 6, 24)
# The datetime-local input's value: wall-clock time in Viet Nam, no offset (the API reads it so).
LOCAL_INPUT = "%Y-%m-%dT%H:%M"

# Where each of the service's field errors is shown on the form.
FIELD_OF = {"translations": "translation_headline"}


class AlertForm(FlaskForm):
    hazard = SelectField(_l("Loại thiên tai, sự cố"), choices=[], validate_choice=False)
    level = StringField(_l("Cấp độ rủi ro"))  # drawn as coloured radio tiles by the template
    headline = StringField(_l("Tiêu đề cảnh báo"))
    description = TextAreaField(_l("Tình hình"))
    instruction = TextAreaField(_l("Hướng dẫn người dân"))
    unit_codes = CheckboxesField(_l("Khu vực cảnh báo"), choices=[])
    expires_at = StringField(_l("Hết hiệu lực lúc"))
    effective_at = StringField(_l("Có hiệu lực từ (không bắt buộc)"))
    sound = BooleanField(_l("Phát âm thanh báo động khi cảnh báo hiện lên"))
    translation_language = StringField(_l("Mã ngôn ngữ"))
    translation_headline = StringField(_l("Tiêu đề bằng ngôn ngữ đó"))
    # Set on the confirmation step; a second click on "confirm" finds the alert it already raised.
    submission = HiddenField()


def level_tiles() -> list[dict]:
    """Return the five risk levels as the form's tiles: number, written name, CSS class."""
    tiles = []
    for level, (name, _color, _text) in hazards.LEVELS.items():
        head, _, rest = name.partition(" – ")
        tiles.append({"value": str(level), "name": name, "head": head, "rest": rest, "css": f"level-{level}"})
    return tiles


def prepare(form: AlertForm, user: User) -> None:
    """Fill the choices of `form` with the hazards and the units `user` may warn."""
    form.hazard.choices = [SelectChoice("", _l("— Chọn loại thiên tai, sự cố —"))] + [
        SelectChoice(code, name) for code, name in alerts.hazard_names().items()
    ]
    form.unit_codes.choices = unit_choices(user)


def defaults(form: AlertForm, user: User, now: datetime | None = None) -> None:
    """Set what a fresh form starts with: expiry in six hours; an officer of one commune warns it."""
    form.expires_at.data = datetime_local_value((now or datetime.now(schedule.VN)) + timedelta(hours=DEFAULT_HOURS))
    if len(form.unit_codes.choices) == 1:
        form.unit_codes.data = [form.unit_codes.choices[0].value]


def datetime_local_value(moment: datetime) -> str:
    """Return `moment` as an <input type="datetime-local"> value ("2026-12-01T07:30") on the Viet Nam clock.

    Not the notice editor's `notice_forms.local_input`: that one writes the text field officers type
    ("01/12/2026 07:30"), which a datetime-local input would refuse.
    """
    return moment.astimezone(schedule.VN).strftime(LOCAL_INPUT)


def area_options(form: AlertForm, user: User) -> list[dict]:
    """Return the area checkboxes: each unit with its province, whether picked, and its screens."""
    screens = screens_per_unit(user)
    chosen = set(form.unit_codes.data or [])
    values = [c.value for c in form.unit_codes.choices]
    parents = dict(db.session.execute(select(Unit.code, Unit.parent_code).where(Unit.code.in_(values))).all())
    return [{
        "value": c.value, "label": str(c.label), "group": c.optgroup or "", "parent": parents.get(c.value) or "",
        "checked": c.value in chosen, "province": not parents.get(c.value), "screens": screens.get(c.value, 0),
    } for c in form.unit_codes.choices]


def screens_per_unit(user: User) -> dict[str, int]:
    """Return {unit code: screens in it and below it} for the units in the officer's scope."""
    rows = db.session.execute(
        select(Kiosk.unit_code, func.count()).where(scope.scope_filter(user, Kiosk.unit_code), Kiosk.revoked_at.is_(None))
        .group_by(Kiosk.unit_code)
    ).all()
    totals: dict[str, int] = {}
    for code, count in rows:
        for above in scope.ancestor_codes(code):
            totals[above] = totals.get(above, 0) + count
    return totals


def to_body(form: AlertForm) -> tuple[dict, dict]:
    """Return the API's alert body for what the officer entered, and the errors only the form can see."""
    errors: dict[str, str] = {}
    hazard = form.hazard.data or ""
    if not hazard:
        errors["hazard"] = _l("Hãy chọn loại thiên tai, sự cố.")
    level_text = (form.level.data or "").strip()
    if not level_text:
        errors["level"] = _l("Hãy chọn một trong năm cấp độ rủi ro.")
    units = [code for code in form.unit_codes.data or [] if code]
    if not units:
        errors["unit_codes"] = _l("Hãy chọn ít nhất một đơn vị nhận cảnh báo.")
    language = (form.translation_language.data or "").strip()
    translated = (form.translation_headline.data or "").strip()
    translations = []
    if language and translated:
        translations = [{"language": language, "headline": translated}]
    elif language:
        errors["translation_headline"] = _l("Hãy nhập tiêu đề bằng ngôn ngữ này, hoặc xóa mã ngôn ngữ.")
    elif translated:
        errors["translation_language"] = _l("Hãy nhập mã ngôn ngữ của bản dịch, ví dụ km hoặc tyz.")
    body = {
        "headline": form.headline.data or "",
        "description": form.description.data or "",
        "instruction": form.instruction.data or "",
        "hazard": hazard,
        "level": int(level_text) if level_text.isdigit() else level_text or None,
        "unit_codes": units,
        "expires_at": (form.expires_at.data or "").strip() or None,
        "effective_at": (form.effective_at.data or "").strip() or None,
        "sound": bool(form.sound.data),
        "translations": translations,
    }
    return body, errors


def apply_errors(form: AlertForm, errors: dict) -> dict[str, str]:
    """Put field errors beside their fields; return those no field of the form shows."""
    rest = {}
    for name, message in errors.items():
        field = getattr(form, FIELD_OF.get(name, name), None)
        if field is not None and hasattr(field, "errors") and name not in ("csrf_token", "submission"):
            field.errors = [*list(field.errors), str(message)]
        else:
            rest[name] = str(message)
    return rest

