"""The form pieces both editors (notices, playlists) share: choices as checkboxes, where it plays, when it plays.

The editors check nothing but their CSRF token: these pieces read what the officer entered into the
API's body (`targets`, `starts_at`, `ends_at`, `days`, `hours`) and put a stored revision back into the
form, so the service judges every field for the UI and the API alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice, SelectMultipleField, widgets

from kiosk_server.domain import schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Kiosk, KioskGroup, Media, Unit, User
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup
from kiosk_server.web.admin.choices import unit_choices

HOUR_SLOTS = 3
DAY_CHOICES = (
    ("1", _l("T2")), ("2", _l("T3")), ("3", _l("T4")), ("4", _l("T5")), ("5", _l("T6")), ("6", _l("T7")),
    ("7", _l("CN")),
)  # ISO weekdays, as the API takes them
DAY_NAMES = {
    1: _l("Thứ Hai"), 2: _l("Thứ Ba"), 3: _l("Thứ Tư"), 4: _l("Thứ Năm"), 5: _l("Thứ Sáu"), 6: _l("Thứ Bảy"),
    7: _l("Chủ nhật"),
}
VN_MOMENT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[\s,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$")


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; values stay strings (the service judges them)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:  # the service decides what is valid
        pass


def target_fields() -> tuple[CheckboxesField, CheckboxesField, CheckboxesField]:
    """Return the fields of where it plays: units, screen groups, single screens (in that order on the form)."""
    return (CheckboxesField(_l("Đơn vị (gồm mọi đơn vị trực thuộc)"), choices=[]),
            CheckboxesField(_l("Nhóm màn hình"), choices=[]), CheckboxesField(_l("Từng màn hình"), choices=[]))


def day_field() -> CheckboxesField:
    """Return the weekday checkboxes of a schedule."""
    return CheckboxesField(_l("Ngày trong tuần"), choices=[SelectChoice(v, day) for v, day in DAY_CHOICES])


# --- choices ------------------------------------------------------------------------------------------


def options(field) -> list[dict]:
    """Return a choice field's options as {value, label, group, checked}, whatever shape its choices have."""
    chosen = {str(v) for v in (field.data if isinstance(field.data, list) else [field.data]) if v is not None}
    found = []
    for choice in field.choices:
        value, label, group = choice.value, choice.label, choice.optgroup
        found.append({"value": str(value), "label": str(label), "group": group or "", "checked": str(value) in chosen})
    return found


def grouped(items: list, group_of) -> list[tuple[str, list]]:
    """Return `items` in runs of the same group (as `group_of` names it), keeping their order."""
    runs: list[tuple[str, list]] = []
    for item in items:
        group = group_of(item) or ""
        if runs and runs[-1][0] == group:
            runs[-1][1].append(item)
        else:
            runs.append((group, [item]))
    return runs


def option_groups(field) -> list[tuple[str, list[dict]]]:
    """Return a choice field's `options` in runs by their optgroup (a province's communes together)."""
    return grouped(options(field), lambda option: option["group"])


def prepare_targets(form, user: User) -> None:
    """Fill the unit and target choices of `form` (a notice's or a playlist's) with what `user` may pick."""
    units = unit_choices(user)
    form.unit_code.choices = units
    form.target_units.choices = list(units)
    groups = db.session.scalars(
        select(KioskGroup).where(scope.scope_filter(user, KioskGroup.unit_code)).order_by(KioskGroup.unit_code,
                                                                                           KioskGroup.name)
    ).all()
    form.target_groups.choices = [SelectChoice(str(g.id), f"{g.name} · {g.unit.name}") for g in groups]
    screens = db.session.scalars(
        select(Kiosk).where(scope.scope_filter(user, Kiosk.unit_code), Kiosk.revoked_at.is_(None))
        .order_by(Kiosk.unit_code, Kiosk.name)
    ).all()
    form.target_kiosks.choices = [SelectChoice(str(k.id), f"{k.name} · {k.unit.name}") for k in screens]


def default_unit(form, user: User) -> None:
    """Set a new draft's unit to the officer's own, or to the first one they may pick."""
    form.unit_code.data = user.unit_code or (form.unit_code.choices[0].value if form.unit_code.choices else "")


def keep_selected(form, user: User) -> None:
    """Add to the choices whatever the notice (or playlist) already holds but the lists leave out (a revoked
    screen, a commune a national officer's short list omits, a hidden category), so saving never drops it.

    Units and categories are public reference data; a group, screen or file is labelled through the scoped
    lookup, so one `user` may not open (another unit's, or none at all) reads as "#id" and nothing else.
    """
    for name, labels_of in (
        ("unit_code", _unit_labels), ("target_units", _unit_labels), ("target_groups", _group_labels),
        ("target_kiosks", _kiosk_labels), ("category", _category_labels), ("media_ids", _media_labels),
    ):
        field = getattr(form, name, None)
        if field is None:
            continue
        values = field.data if isinstance(field.data, list) else [field.data]
        known = {option["value"] for option in options(field)}
        added = list(dict.fromkeys(str(value) for value in values if value and str(value) not in known))
        if added:
            names = labels_of(added, user)
            field.choices = [*field.choices, *(SelectChoice(ref, names.get(ref, f"#{ref}")) for ref in added)]


def _unit_labels(codes: list[str], user: User) -> dict[str, str]:
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return {code: f"{units[code].name} ({code})" if code in units else code for code in codes}


def _category_labels(codes: list[str], user: User) -> dict[str, str]:
    found = dict(db.session.execute(select(Category.code, Category.name).where(Category.code.in_(codes))).all())
    return {code: found.get(code, code) for code in codes}


def _scoped_labels(model, name_of):
    """Return a labeller of `model` ids (as posted text) for one officer, through `lookup.labels`."""
    def labels_of(refs: list[str], user: User) -> dict[str, str]:
        return lookup.labels(model, [int(ref) if ref.isdigit() else ref for ref in refs], user, name_of)
    return labels_of


_group_labels = _scoped_labels(KioskGroup, lambda group: f"{group.name} · {group.unit.name}")
_kiosk_labels = _scoped_labels(Kiosk, lambda kiosk: f"{kiosk.name} · {kiosk.unit.name}")
_media_labels = _scoped_labels(Media, lambda media: media.original_name or f"#{media.id}")


# --- rows posted as name-N-key ------------------------------------------------------------------------


def padded_rows(entries: list[dict], minimum: int, maximum: int, blank: dict) -> list[dict]:
    """Return `entries` padded with blank rows: at least `minimum`, and one spare while under `maximum`."""
    shown = [dict(e) for e in entries]
    while len(shown) < max(minimum, min(maximum, len(entries) + 1)):
        shown.append(dict(blank))
    return shown


def hour_rows(entries: list[dict]) -> list[dict]:
    """Return the hour ranges `entries` padded to the editor's slots."""
    return padded_rows(entries, HOUR_SLOTS, HOUR_SLOTS, {"start": "", "end": ""})


def posted_rows(formdata, name: str, keys: tuple[str, ...], limit: int) -> list[dict]:
    """Return the rows posted as `name-N-key` fields, in order, skipping rows left entirely blank."""
    found = []
    for index in range(limit):
        prefix = f"{name}-{index}-"
        row = {key: (formdata.get(prefix + key) or "").strip() for key in keys}
        if any(row.values()):
            found.append(row)
    return found


def posted_hours(formdata) -> list[dict]:
    """Return the hour ranges posted as `hours-N-start` and `hours-N-end`."""
    return posted_rows(formdata, "hours", ("start", "end"), 12)


# --- reading what was typed ---------------------------------------------------------------------------


def read_number(text: str | None):
    """Return a typed number as int or float, None when blank, or the text itself when it is no number."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text  # the service names the field and says what is expected
    return int(value) if value.is_integer() else value


def read_ids(values: list[str]) -> list:
    """Return chosen ids as ints, handing on whatever is no number for the service to name."""
    return [int(v) if str(v).strip().isdigit() else v for v in values if str(v).strip()]


def read_clock(text: str) -> str:
    """Return a clock time as the API takes it, HH:MM."""
    # <input type="time"> may add seconds ("07:00:00").
    return text[:5] if len(text) == 8 and text[5] == ":" else text


def local_input(moment: datetime | None) -> str:
    """Return `moment` as the editor writes it: "01/12/2026 07:30" on the Viet Nam clock."""
    if moment is None:
        return ""
    local = moment.astimezone(schedule.VN)
    return local.strftime("%d/%m/%Y %H:%M:%S" if local.second else "%d/%m/%Y %H:%M")


def read_moment(text: str | None) -> tuple[str | None, str | None]:
    """Return (ISO value for the API, error) for a moment typed as "dd/mm/yyyy HH:MM" (ISO is accepted too).

    An unreadable value is handed on as typed, so the service refuses it and nothing is saved; the
    error returned here then replaces its message with one in the editor's own format.
    """
    text = (text or "").strip()
    if not text:
        return None, None
    match = VN_MOMENT.match(text)
    if match is None:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return text, _l("Nhập theo dạng ngày/tháng/năm giờ:phút, ví dụ 01/12/2026 07:30.")
        return text, None
    day, month, year, hour, minute, second = match.groups()
    if hour is None:
        return text, _l("Thêm giờ bắt đầu hoặc kết thúc, ví dụ %(day)s 07:30.", day=f"{day}/{month}/{year}")
    try:
        # A wall-clock time in Viet Nam, written without an offset: the notice input reads it as such.
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))  # noqa: DTZ001
    except ValueError:
        return text, _l("Không có thời điểm “%(text)s” trên lịch.", text=text[:40])
    return moment.isoformat(timespec="seconds" if second else "minutes"), None


# --- where and when, both ways ------------------------------------------------------------------------


def where_and_when(form, hours: list[dict]) -> tuple[dict, dict]:
    """Return the API body's targets and schedule for what the officer entered, and the errors of reading its moments."""
    starts_at, starts_error = read_moment(form.starts_at.data)
    ends_at, ends_error = read_moment(form.ends_at.data)
    errors = {k: v for k, v in (("starts_at", starts_error), ("ends_at", ends_error)) if v}
    return {
        "targets": {
            "units": [u for u in form.target_units.data or [] if u],
            "groups": read_ids(form.target_groups.data or []),
            "kiosks": read_ids(form.target_kiosks.data or []),
        },
        "starts_at": starts_at,
        "ends_at": ends_at,
        "days": read_ids(form.days.data or []),
        "hours": [[read_clock(row["start"]), read_clock(row["end"])] for row in hours],
    }, errors


def fill_where_and_when(form, content: dict, version: int) -> list[dict]:
    """Put a stored revision's version, unit, targets and schedule into `form`; return its hour range rows."""
    rules = schedule.rules_from_json(content["rules"])
    form.version.data = str(version)
    form.unit_code.data = content["unit_code"]
    targets = content.get("targets") or {}
    form.target_units.data = [str(u) for u in targets.get("units", [])]
    form.target_groups.data = [str(g) for g in targets.get("groups", [])]
    form.target_kiosks.data = [str(k) for k in targets.get("kiosks", [])]
    form.starts_at.data = local_input(rules.starts_at)
    form.ends_at.data = local_input(rules.ends_at)
    form.days.data = [str(d) for d in sorted(rules.days)]
    return [{"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"} for start, end in rules.hours]


def seconds_text(value: float) -> str:
    """Return a number of seconds as the officer's language writes it: 12,5 in Vietnamese, 12.5 in English."""
    return format_decimal(value, format="#,##0.#")
