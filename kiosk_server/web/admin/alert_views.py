"""Emergency alerts in the officer UI: the list, the one-screen raise with its confirmation, and the
alert's page with live receipts, cancel and the CAP 1.2 download.

Raising posts the same dict as `POST /api/v1/alerts` to `services.alerts`. The confirmation step
asks the service to judge the input first, so every error shows beside its field before the officer
is asked to confirm, and nothing is stored until they do.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from flask import Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kiosk_server.domain import cap as cap_rules
from kiosk_server.domain import hazards, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Alert, AlertAck, Kiosk, Unit, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.services.screens import presence
from kiosk_server.web import paging
from kiosk_server.web.admin import alert_forms as af
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.forms import ConfirmForm
from kiosk_server.web.admin.notice_forms import LANGUAGE_SUGGESTIONS

PAST_PER_PAGE = 25
# Confirmation tokens remembered per officer session, so a double click raises one alert.
REMEMBERED_SUBMISSIONS = 5


# --- helpers ------------------------------------------------------------------------------------

def may_cancel(user: User, alert: Alert) -> bool:
    """Return True when the officer may take this alert off the screens (role, scope, still on)."""
    return alerts.is_active(alert) and alerts.may_end(user, alert)


def state_of(alert: Alert, now: datetime | None = None) -> dict:
    """Return {key, label, css} saying where the alert stands, in words."""
    now = now or utcnow()
    if alert.status == "Exercise":
        return {"key": "exercise", "label": _("Diễn tập — không hiển thị cho người dân"), "css": "drill"}
    if alert.status not in alerts.SHOWN_STATUSES:
        return {"key": "test", "label": _("Thử nghiệm — không hiển thị cho người dân"), "css": "drill"}
    if alert.replaced_by_id:
        return {"key": "replaced", "label": _("Đã được thay bằng cảnh báo #%(id)d", id=alert.replaced_by_id),
                "css": "off"}
    if alert.cancelled_at is not None:
        return {"key": "cancelled", "label": _("Đã hủy lúc %(at)s", at=_vn(alert.cancelled_at)), "css": "off"}
    if alert.expires_at <= now:
        return {"key": "expired", "label": _("Hết hiệu lực lúc %(at)s", at=_vn(alert.expires_at)), "css": "off"}
    return {"key": "active", "label": _("Đang hiển thị"), "css": "live"}


def _vn(moment: datetime, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return moment.astimezone(schedule.VN).strftime(fmt)


def _scope_kiosk_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(Kiosk.id).where(scope.scope_filter(user, Kiosk.unit_code))))


def _reach(alert: Alert, in_scope: set[int], acked: set[int], area_cache: dict | None = None) -> set[int]:
    """Return the screens an officer accounts for: those in the area (and scope), and any that acked."""
    if alert.status not in alerts.SHOWN_STATUSES:
        return set()
    cache = {} if area_cache is None else area_cache
    key = tuple(sorted(alert.unit_codes))
    if key not in cache:
        cache[key] = alerts.screens_in_area(list(key))
    return (cache[key] | acked) & in_scope


def _counts(rows: list[dict]) -> dict:
    return {
        "total": len(rows),
        "shown": sum(1 for r in rows if r["acked_at"]),
        "offline": sum(1 for r in rows if not r["online"]),
        "offline_waiting": sum(1 for r in rows if not r["online"] and not r["acked_at"]),
    }


def receipt_rows(alert: Alert) -> list[dict]:
    """Return one row per screen the officer sees for this alert: name, unit, online, when it showed it.

    Screens that have not shown it come first; those are the ones an officer must chase.
    """
    acks = {a.kiosk_id: a.at for a in alert.acks}
    ids = _reach(alert, _scope_kiosk_ids(current_user), set(acks))
    if not ids:
        return []
    screens = db.session.scalars(select(Kiosk).where(Kiosk.id.in_(ids))).all()
    rows = [{
        "id": k.id, "name": k.name, "unit": k.unit.name, "unit_code": k.unit_code, "revoked": k.revoked,
        "online": presence.is_online(k), "acked_at": acks.get(k.id),
        "acked_text": _vn(acks[k.id], "%H:%M:%S") if k.id in acks else "",
        "acked_title": _vn(acks[k.id], "%d/%m/%Y %H:%M:%S") if k.id in acks else "",
    } for k in screens]
    rows.sort(key=lambda r: (r["acked_at"] is not None, r["unit"], r["name"], r["id"]))
    return rows


def _area_units(codes: list[str]) -> list[Unit]:
    units = db.session.scalars(select(Unit).where(Unit.code.in_(codes))).all()
    return sorted(units, key=lambda u: (u.level != "province", u.name))


# --- list ---------------------------------------------------------------------------------------

@permission_required("read")
def alert_list():
    now = utcnow()
    # Scope and state are filtered in SQL, so no alert of the officer's drops out behind others' newer ones.
    active = sorted(db.session.scalars(alerts.visible_query(current_user, active_only=True, now=now)),
                    key=lambda a: (-a.level, -a.id))
    visible = alerts.visible_query(current_user)
    past = paging.paginate(visible.where(Alert.id.not_in([a.id for a in active])) if active else visible,
                           PAST_PER_PAGE)
    page, pages, past_page = past.page, past.pages, past.items
    listed = active + past_page
    in_scope = _scope_kiosk_ids(current_user)
    acked: dict[int, set[int]] = {a.id: set() for a in listed}
    if listed:
        for alert_id, kiosk_id in db.session.execute(
            select(AlertAck.alert_id, AlertAck.kiosk_id).where(AlertAck.alert_id.in_(list(acked)))
        ):
            acked[alert_id].add(kiosk_id)
    cache: dict = {}
    reach = {}
    for alert in listed:
        ids = _reach(alert, in_scope, acked[alert.id], cache)
        reach[alert.id] = {"total": len(ids), "shown": len(ids & acked[alert.id])}
    return render_template(
        "admin/alerts.html", active=active, past=past_page, page=page, pages=pages, reach=reach,
        states={a.id: state_of(a, now) for a in listed}, hazard_names=alerts.hazard_names(), levels=_levels(),
    )


def _levels() -> dict[int, dict]:
    return {level: hazards.level_info(level) for level in hazards.LEVELS}


# --- raise --------------------------------------------------------------------------------------

@permission_required("raise_alert")
def alert_new():
    form = af.AlertForm()
    af.prepare(form, current_user)
    if request.method == "GET":
        af.defaults(form, current_user)
        return _form(form)
    if not form.validate():  # only the CSRF token is checked here
        return _form(form), 400
    action = request.form.get("action")
    if action == "edit":
        return _form(form)
    body, local_errors = af.to_body(form)
    if action == "confirm":
        return _raise(form, body, local_errors)
    return _review(form, body, local_errors)


def _check(body: dict) -> dict:
    """Return the service's field errors for `body`, storing nothing."""
    try:
        # The service's own reading of the API body: same checks, same messages, no writes.
        alerts.check(body, current_user)
    except ServiceError as error:
        return dict(error.fields) or {"form": error.message}
    return {}


def _review(form: af.AlertForm, body: dict, local_errors: dict):
    errors = {**_check(body), **local_errors}
    if errors:
        return _form(form, errors), 422
    ids = alerts.screens_in_area(body["unit_codes"])
    screens = db.session.scalars(select(Kiosk).where(Kiosk.id.in_(ids))).all() if ids else []
    online = sum(1 for k in screens if presence.is_online(k))
    form.submission.data = uuid.uuid4().hex
    return render_template(
        "admin/alert_new.html", form=form, confirm={
            "total": len(screens), "online": online, "offline": len(screens) - online,
            "units": _area_units(body["unit_codes"]), "level": hazards.level_info(body["level"]),
            "hazard_name": alerts.hazard_names().get(body["hazard"], body["hazard"]),
            "expires": _moment_text(body["expires_at"]), "effective": _moment_text(body["effective_at"]),
            "expires_in": _hours_from_now(body["expires_at"]),
            "translation": body["translations"][0] if body["translations"] else None, "body": body,
        }, extra_errors={},
    )


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=schedule.VN)


def _moment_text(value: str | None) -> str:
    return _vn(_moment(value)) if value else ""


def _hours_from_now(value: str) -> str:
    hours = (_moment(value) - utcnow()).total_seconds() / 3600
    return format_decimal(round(hours, 1), format="#,##0.#")


def _raise(form: af.AlertForm, body: dict, local_errors: dict):
    token = form.submission.data or ""
    done = dict(session.get("alert_submissions") or {})
    earlier = db.session.get(Alert, done[token]) if token in done else None
    if earlier is not None:
        flash(_("Cảnh báo này đã được phát lúc %(at)s; không phát lần thứ hai.", at=_vn(earlier.created_at)), "info")
        return redirect(url_for("admin.alert", alert_id=earlier.id))
    if local_errors:
        return _form(form, {**_check(body), **local_errors}), 422
    try:
        alert = alerts.raise_alert(body, current_user, source="ui")
    except ServiceError as error:
        db.session.rollback()
        return _form(form, dict(error.fields) or {"form": error.message}), 422
    if token:
        done[token] = alert.id
        session["alert_submissions"] = dict(list(done.items())[-REMEMBERED_SUBMISSIONS:])
    flash(ngettext("Đã phát cảnh báo “%(headline)s” tới %(num)d màn hình.",
                   "Đã phát cảnh báo “%(headline)s” tới %(num)d màn hình.", alert.kiosk_count,
                   headline=alert.headline), "success")
    return redirect(url_for("admin.alert", alert_id=alert.id))


def _form(form: af.AlertForm, errors: dict | None = None):
    extra = af.apply_errors(form, errors or {})
    form.submission.data = ""
    return render_template(
        "admin/alert_new.html", form=form, confirm=None, extra_errors=extra, tiles=af.level_tiles(),
        areas=af.area_options(form, current_user), quick_hours=af.QUICK_HOURS, languages=LANGUAGE_SUGGESTIONS,
        max_headline=alerts.MAX_HEADLINE, max_text=alerts.MAX_TEXT,
    )


# --- one alert ----------------------------------------------------------------------------------

@permission_required("read")
def alert_detail(alert_id: int):
    alert = lookup.get_visible(Alert, alert_id, current_user)
    rows = receipt_rows(alert)
    author = db.session.get(User, alert.created_by_id) if alert.created_by_id else None
    return render_template(
        "admin/alert.html", alert=alert, rows=rows, counts=_counts(rows), state=state_of(alert),
        level=hazards.level_info(alert.level), hazard_name=alerts.hazard_names().get(alert.hazard, alert.hazard),
        units=_area_units(alert.unit_codes), author=author, can_cancel=may_cancel(current_user, alert),
        shown_statuses=alerts.SHOWN_STATUSES, confirm=ConfirmForm(),
        replaced_by=db.session.get(Alert, alert.replaced_by_id) if alert.replaced_by_id else None,
    )


@permission_required("read")
def alert_receipts(alert_id: int):
    """The receipts table as JSON, for the live page to catch up after its socket (re)connects."""
    alert = lookup.get_visible(Alert, alert_id, current_user)
    rows = receipt_rows(alert)
    return jsonify({
        "alert_id": alert.id, "counts": _counts(rows),
        "screens": [{"id": r["id"], "online": r["online"],
                     "acked_at": r["acked_at"].isoformat() if r["acked_at"] else None} for r in rows],
    })


@permission_required("raise_alert")
def alert_cancel(alert_id: int):
    alert = lookup.get_visible(Alert, alert_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        alerts.cancel(alert, current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(ngettext("Đã hủy cảnh báo; cảnh báo được gỡ khỏi %(num)d màn hình ngay lúc này.",
                       "Đã hủy cảnh báo; cảnh báo được gỡ khỏi %(num)d màn hình ngay lúc này.", alert.kiosk_count),
              "success")
    return redirect(url_for("admin.alert", alert_id=alert.id))


@permission_required("read")
def alert_cap(alert_id: int):
    """The alert as a CAP 1.2 file, for a provincial source system or an archive."""
    alert = lookup.get_visible(Alert, alert_id, current_user)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", alert.identifier).strip("-.")[:80] or f"alert-{alert.id}"
    return Response(alerts.to_cap(alert), mimetype=cap_rules.CONTENT_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}.cap.xml"'})
