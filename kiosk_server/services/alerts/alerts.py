"""Emergency alerts: raise, update and cancel them, from officers or CAP feeds, with receipts.

An alert goes out before anything else: the `alert` event is emitted to the rooms of its units first,
then the manifests of the screens in the area are bumped, so a screen that was offline gets it on its
next `hello` or manifest fetch, and keeps it across reloads until it expires or is cancelled.
Exercise and Test messages are recorded and audited but never reach a screen.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from kiosk_server.database import DATABASE_AWAY, first_line
from kiosk_server.domain import cap as cap_rules
from kiosk_server.domain import hazards as hazard_rules
from kiosk_server.domain import roles, schedule
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AlertUnit, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, due, scope
from kiosk_server.services.core.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from kiosk_server.services.core.fields import FieldReader
from kiosk_server.services.screens import publish, targeting

SHOWN_STATUSES = ("Actual",)
RECORDED_STATUSES = ("Actual", "Exercise", "Test")
SEND_JOB = "alert.send"  # stored work (services/core/due.py): sending an alert, now or when it takes effect
WITHDRAW_JOB = "alert.withdraw"  # stored work: taking a cancelled (or replaced) alert off the screens
MAX_HEADLINE = 300
MAX_TEXT = 5000
ALERT_FIELDS = ("headline", "description", "instruction", "hazard", "level", "unit_codes", "expires_at",
                "effective_at", "translations", "sound", "language")


def hazard_names() -> dict[str, str]:
    return hazard_rules.hazards(current_app.config.get("EXTRA_HAZARDS"))


# --- reading ------------------------------------------------------------------------------------



def is_active(alert: Alert, now: datetime | None = None) -> bool:
    """Return True while the alert is on screens: public, not cancelled, in effect and not expired."""
    now = now or utcnow()
    return (alert.status in SHOWN_STATUSES and alert.cancelled_at is None and alert.expires_at > now
            and (alert.effective_at is None or alert.effective_at <= now))


def kiosk_payload(alert: Alert) -> dict:
    """Return what a screen needs to show the alert (the `alert` event and the manifest's `alerts`)."""
    level = hazard_rules.level_info(alert.level)
    return {
        "id": alert.id,
        "headline": alert.headline,
        "description": alert.description,
        "instruction": alert.instruction,
        "hazard": alert.hazard,
        "hazard_name": hazard_names().get(alert.hazard, alert.hazard),
        "level": alert.level,
        "level_name": level["name"],
        "color": level["color"],
        "text_color": level["text_color"],
        "sent_at": alert.sent_at.astimezone(schedule.VN).isoformat(),
        "effective_at": alert.effective_at.astimezone(schedule.VN).isoformat() if alert.effective_at else None,
        "expires_at": alert.expires_at.astimezone(schedule.VN).isoformat(),
        "translations": alert.translations or [],
        "sound": alert.sound,
        "area": alert.area_desc,
    }


def alert_json(alert: Alert) -> dict:
    """Return the alert as the API shows it, receipts included."""
    return {
        **kiosk_payload(alert),
        "identifier": alert.identifier,
        "status": alert.status,
        "source": alert.source,
        "language": alert.language,
        "unit_codes": alert.unit_codes,
        "active": is_active(alert),
        "cancelled_at": alert.cancelled_at.isoformat() if alert.cancelled_at else None,
        "replaced_by": alert.replaced_by_id,
        "kiosk_count": alert.kiosk_count,
        "created_at": alert.created_at.isoformat(),
        "acks": [{"kiosk_id": a.kiosk_id, "at": a.at.isoformat()} for a in alert.acks],
    }


def active_for_unit(unit_code: str, now: datetime | None = None) -> list[dict]:
    """Return the payloads of the active public alerts covering `unit_code`, most severe first."""
    now = now or utcnow()
    chain = set(scope.ancestor_codes(unit_code))
    rows = db.session.scalars(
        select(Alert).where(Alert.status.in_(SHOWN_STATUSES), Alert.cancelled_at.is_(None), Alert.expires_at > now)
    ).all()
    return [kiosk_payload(a) for a in covering(rows, chain, now)]


def covering(candidates, unit_chain: set[str], now: datetime) -> list[Alert]:
    """Return those of `candidates` active now whose area holds a unit of `unit_chain`, most severe first."""
    mine = [a for a in candidates if unit_chain & set(a.unit_codes) and is_active(a, now)]
    return sorted(mine, key=lambda a: (-a.level, a.created_at))


def visible_to(alert: Alert, user: User) -> bool:
    """Return True when the officer may read the alert: it touches their scope or covers their unit."""
    if any(scope.in_scope(user, code) for code in alert.unit_codes):
        return True
    return bool(user.unit_code) and bool(set(scope.ancestor_codes(user.unit_code)) & set(alert.unit_codes))


def visible_query(user: User, *, active_only: bool = False, now: datetime | None = None):
    """Return a query of the alerts `user` may read (see `visible_to`), newest first, filtered in SQL."""
    query = select(Alert)
    if user.unit_code is not None:
        near = set(scope.ancestor_codes(user.unit_code)) | scope.descendant_codes(user.unit_code)
        query = query.where(Alert.id.in_(select(AlertUnit.alert_id).where(AlertUnit.unit_code.in_(near))))
    if active_only:
        now = now or utcnow()
        query = query.where(Alert.status.in_(SHOWN_STATUSES), Alert.cancelled_at.is_(None), Alert.expires_at > now,
                            or_(Alert.effective_at.is_(None), Alert.effective_at <= now))
    return query.order_by(Alert.created_at.desc(), Alert.id.desc())


def screens_in_area(unit_codes: list[str]) -> set[int]:
    """Return the ids of the screens an alert for `unit_codes` would reach."""
    return targeting.kiosks_for({"units": unit_codes})


# --- checks -------------------------------------------------------------------------------------

def _require_raiser(actor: User | None) -> None:
    if isinstance(actor, User) and not roles.can(actor.role, "raise_alert"):
        raise Forbidden(_l("Chỉ cán bộ duyệt tin trở lên mới được phát cảnh báo khẩn cấp."))


def end_refusal(actor: User | str | None, alert: Alert, status: str | None = None) -> ServiceError | None:
    """Return why `actor` may not replace or cancel `alert`, or None when they may.

    Ending an alert needs what raising it needed, over the old alert's whole area: the role, scope
    over every unit it covers and, for a CAP Update or Cancel, the same `status` (a Test or Exercise
    message never ends an Actual alert, nor the reverse). The direct cancel, the officer UI and CAP
    all ask here.
    """
    if isinstance(actor, User):
        if not roles.can(actor.role, "raise_alert"):
            return Forbidden(_l("Chỉ cán bộ duyệt tin trở lên mới được hủy hoặc thay cảnh báo khẩn cấp."))
        outside = [code for code in alert.unit_codes if not scope.in_scope(actor, code)]
        if outside:
            return Forbidden(
                _l("Cảnh báo số %(id)s phủ cả đơn vị %(code)s, ngoài phạm vi của bạn; chỉ người có quyền trên "
                   "toàn vùng cảnh báo mới được hủy hoặc thay nó.", id=alert.id, code=outside[0]),
                {"id": _l("Ngoài phạm vi của bạn.")}, code="out_of_scope")
    if status is not None and status != alert.status:
        return ValidationFailed(
            _l("Bản tin trạng thái “%(status)s” không được hủy hoặc thay cảnh báo số %(id)s (trạng thái “%(old)s”).",
               status=status, id=alert.id, old=alert.status),
            {"status": _l("Phải cùng trạng thái với cảnh báo được tham chiếu.")}, code="status_mismatch")
    return None


def may_end(actor: User | str | None, alert: Alert) -> bool:
    """Return True when `actor` may take `alert` off the screens (see `end_refusal`)."""
    return end_refusal(actor, alert) is None


def require_may_end(actor: User | str | None, alert: Alert, status: str | None = None) -> None:
    """Raise the refusal of `end_refusal`, after auditing it in a commit of its own.

    Whatever the caller had in the session is rolled back first, so the refusal leaves nothing behind
    but its audit row.
    """
    refusal = end_refusal(actor, alert, status)
    if refusal is None:
        return
    alert_id, unit_code = alert.id, _audit_unit(alert)
    db.session.rollback()
    audit.record(actor, "alert.end_refused", "alert", alert_id, unit_code=unit_code,
                 after={"reason": refusal.code, "status": status, "message": str(refusal.message)})
    db.session.commit()
    raise refusal


def _check_units(unit_codes: Any, actor: User | None, errors: dict, field: str = "unit_codes") -> list[str]:
    if not isinstance(unit_codes, list) or not unit_codes or len(unit_codes) > 500 or not all(
        isinstance(c, str) for c in unit_codes
    ):
        errors[field] = _l("Hãy chọn ít nhất một đơn vị (danh sách mã đơn vị).")
        return []
    codes = list(dict.fromkeys(unit_codes))
    for code in codes:
        scope.get_unit(code, field=field)
        if isinstance(actor, User):
            scope.require_scope(actor, code, field=field)
    return codes


def _expiry_fault(expires_at: datetime | None, effective_at: datetime | None) -> Any:
    """Return why an alert cannot end at `expires_at`, or None."""
    if expires_at is None:
        return _l("Hãy cho biết thời điểm cảnh báo hết hiệu lực.")
    if expires_at <= utcnow():
        return _l("Thời điểm hết hiệu lực đã qua.")
    if effective_at and expires_at <= effective_at:
        return _l("Thời điểm hết hiệu lực phải sau thời điểm bắt đầu.")
    return None


def _parse_translations(value: Any, errors: dict) -> list[dict]:
    translations = value or []
    if not isinstance(translations, list) or len(translations) > 8 or not all(
        isinstance(t, dict) and isinstance(t.get("language"), str) and isinstance(t.get("headline"), str)
        and t["headline"].strip() for t in translations
    ):
        errors["translations"] = _l("Bản dịch là danh sách {language, headline, description, instruction}.")
        return []
    return [{"language": t["language"][:16], "headline": t["headline"].strip()[:MAX_HEADLINE],
             "description": str(t.get("description") or "")[:MAX_TEXT],
             "instruction": str(t.get("instruction") or "")[:MAX_TEXT]} for t in translations]


def _read(data: Any, actor: User | None) -> dict:
    fields = FieldReader(data, ALERT_FIELDS)
    headline_fault = _l("Tiêu đề cảnh báo cần từ 1 đến %(n)d ký tự.", n=MAX_HEADLINE)
    fields.text("headline", headline_fault, most=MAX_HEADLINE, too_long=headline_fault)
    text_fault = _l("Tối đa %(n)d ký tự.", n=MAX_TEXT)
    for name in ("description", "instruction"):
        fields.prose(name, MAX_TEXT, not_text=text_fault, too_long=text_fault, convert=str.strip)
    fields.choice("hazard", hazard_names(), lambda hazard: _l("Loại thiên tai, sự cố “%(value)s” không có trong danh sách.",
                                                              value=str(hazard)[:40]))
    fields.number("level", _l("Cấp độ rủi ro là số từ 1 đến 5 (Quyết định 18/2021/QĐ-TTg)."), 1, 5, whole=True)
    expires_at, effective_at = fields.when("expires_at"), fields.when("effective_at")
    fault = None if "expires_at" in fields.errors else _expiry_fault(expires_at, effective_at)
    if fault is not None:
        fields.refuse("expires_at", fault)
    fields.parse("translations", _parse_translations)
    fields.flag("sound", False)
    fields.keep("language", data.get("language") or "vi")
    try:
        fields.keep("unit_codes", _check_units(data.get("unit_codes"), actor, fields.errors))
    except ServiceError as error:
        if not fields.errors:
            raise  # only the area is wrong: 404 unknown unit, 403 out of scope, as elsewhere
        fields.errors.update(error.fields)  # otherwise report it with the rest, in one round
    return fields.finish(_l("Cảnh báo chưa hợp lệ; xem lỗi của từng trường."))


# --- writing ------------------------------------------------------------------------------------

def check(data: Any, actor: User) -> dict:
    """Validate an alert as `raise_alert` would, without storing or sending anything (the UI's confirm step)."""
    _require_raiser(actor)
    return _read(data, actor)


def _new_identifier() -> str:
    return f"bangtin-{uuid.uuid4()}"


def _sender() -> str:
    return current_app.config.get("CAP_SENDER") or "bangtin@localhost"


def _store(fields: dict, actor: User | str | None, *, source: str, status: str = "Actual", identifier: str | None = None,
           sender: str | None = None, sent_at: datetime | None = None, references: list[str] | None = None,
           area_desc: str = "") -> tuple[Alert, int | None]:
    """Add the alert and, when screens show it, its send job; return both (the job's id)."""
    if identifier and db.session.scalar(select(Alert.id).where(Alert.identifier == identifier)):
        raise Conflict(_l("Bản tin có mã định danh “%(id)s” đã được nhận trước đó.", id=identifier[:80]),
                       {"identifier": _l("Trùng mã định danh.")}, code="duplicate_alert")
    alert = Alert(
        identifier=identifier or _new_identifier(), sender=sender or _sender(), sent_at=sent_at or utcnow(),
        status=status, source=source, references=references or [],
        area_desc=area_desc or _area_desc(fields["unit_codes"]),
        created_by_id=actor.id if isinstance(actor, User) else None, **fields,
    )
    alert.areas = [AlertUnit(unit_code=code) for code in dict.fromkeys(fields["unit_codes"])]
    alert.kiosk_count = len(screens_in_area(fields["unit_codes"])) if status in SHOWN_STATUSES else 0
    db.session.add(alert)
    db.session.flush()
    if status not in SHOWN_STATUSES:
        return alert, None
    # Stored in the same commit as the alert, so no restart can lose it (never a timer in memory): due
    # at its effective time, or now, and then done at once by _go_out.
    job = due.schedule(SEND_JOB, {"id": alert.id}, max(alert.effective_at or utcnow(), utcnow()))
    db.session.flush()
    return alert, job.id


def _area_desc(unit_codes: list[str]) -> str:
    from kiosk_server.models import Unit

    names = db.session.scalars(select(Unit.name).where(Unit.code.in_(unit_codes))).all()
    return ", ".join(sorted(names))


def raise_alert(data: Any, actor: User | str | None, source: str = "api") -> Alert:
    """Raise an alert from the contract's JSON; it is on every screen of the area at once."""
    _require_raiser(actor if isinstance(actor, User) else None)
    fields = _read(data, actor if isinstance(actor, User) else None)
    alert, job_id = _store(fields, actor, source=source)
    audit.record(actor, "alert.raise", "alert", alert.id, unit_code=_audit_unit(alert),
                 after={"headline": alert.headline, "level": alert.level, "units": alert.unit_codes,
                        "screens": alert.kiosk_count})
    db.session.commit()
    _go_out(alert, job_id)
    return alert


def cancel(alert: Alert, actor: User | str | None, reason: str = "alert.cancel") -> Alert:
    """Take the alert off every screen at once."""
    require_may_end(actor, alert)
    if alert.cancelled_at is not None:
        raise Conflict(_l("Cảnh báo này đã được hủy trước đó."), code="already_cancelled")
    alert.cancelled_at = utcnow()
    job_id = _withdraw_job(alert)
    audit.record(actor, reason, "alert", alert.id, unit_code=_audit_unit(alert),
                 after={"headline": alert.headline, "screens": alert.kiosk_count})
    db.session.commit()
    _hand_off(job_id)
    return alert


def _audit_unit(alert: Alert) -> str | None:
    return alert.unit_codes[0] if len(alert.unit_codes) == 1 else None


def _rooms(alert: Alert) -> set[str]:
    return targeting.rooms_for({"units": alert.unit_codes})


def _go_out(alert: Alert, job_id: int | None, *before: int | None) -> None:
    """Send the alert now if it is in effect, from its stored job, after the jobs `before` (all committed)."""
    if job_id is not None and alert.effective_at and alert.effective_at > utcnow():
        job_id = None  # due later: whichever process is alive then sends it
    _hand_off(*before, job_id)


def _hand_off(*job_ids: int | None) -> None:
    """Run the stored jobs `job_ids` (None: no job) in order, from a background task in a serving process.

    The officer's request does not wait for the fan-out: sending to every local socket and bumping
    thousands of manifests takes seconds at 10,000 screens (issue 22), so the request answers once the
    jobs are stored. A process that dies before they are done leaves them to the others' due-work
    loops; a screen that still missed the message learns it on its heartbeat or its next manifest.
    """
    jobs = [job_id for job_id in job_ids if job_id is not None]
    if not jobs:
        return
    app = current_app._get_current_object()
    if app.config.get("ALERT_SEND_IN_BACKGROUND", True):
        socketio.start_background_task(_run_jobs, app, jobs)
    else:
        for job_id in jobs:
            due.run_job(job_id)


def _run_jobs(app, jobs: list[int]) -> None:
    with app.app_context():
        try:
            for job_id in jobs:
                due.run_job(job_id)  # False when another process's due loop took it first: it runs it
        except DATABASE_AWAY as error:  # stored: the due-work loops run them once the database answers
            app.logger.warning("alert jobs %s left to the due-work loop: %s", jobs, first_line(error))
        finally:
            db.session.remove()


def _withdraw_job(alert: Alert) -> int | None:
    """Store the job that takes `alert` off the screens (the caller commits it with the cancellation)."""
    if alert.status not in SHOWN_STATUSES:
        return None
    job = due.schedule(WITHDRAW_JOB, {"id": alert.id})
    db.session.flush()
    return job.id


@due.handler(WITHDRAW_JOB)
def _withdraw_when_due(payload: dict) -> None:
    alert = db.session.get(Alert, payload.get("id"))
    if alert is not None and alert.cancelled_at is not None:
        _withdraw(alert)


@due.handler(SEND_JOB)
def _send_when_due(payload: dict) -> None:
    # Idempotent, as due jobs must be: sent twice, an alert is shown once (the player keeps it by id).
    alert = db.session.get(Alert, payload.get("id"))
    if alert is not None and is_active(alert):
        _send(alert)


def _send(alert: Alert) -> None:
    # The alert itself first (one message per room), then the manifests, for screens that reconnect.
    payload = kiosk_payload(alert)
    for room in sorted(_rooms(alert)):
        socketio.emit("alert", payload, to=room, namespace=publish.KIOSK_NAMESPACE)
    _bump(alert, "alert.raise")


def _withdraw(alert: Alert) -> None:
    if alert.status not in SHOWN_STATUSES:
        return
    for room in sorted(_rooms(alert)):
        socketio.emit("alert_cancel", {"id": alert.id}, to=room, namespace=publish.KIOSK_NAMESPACE)
    _bump(alert, "alert.cancel")


def _bump(alert: Alert, reason: str) -> None:
    event = publish.bump(screens_in_area(alert.unit_codes), reason, _rooms(alert))
    db.session.commit()
    # Connected screens already have the alert; the manifest message is for their next reload. Sent
    # at once, it would be queued behind the alert on every socket and double the time the alert
    # takes to reach the last screen of a large area.
    publish.announce(event, delay_s=current_app.config.get("ALERT_MANIFEST_DELAY_S", 0))


# --- CAP ----------------------------------------------------------------------------------------

def from_cap(data: bytes, actor: User | str | None) -> tuple[Alert, str]:
    """Take a CAP 1.2 message; return the alert it raised, updated or cancelled, and what it did."""
    _require_raiser(actor if isinstance(actor, User) else None)
    try:
        message = cap_rules.parse(data, trusted_certs=current_app.config.get("CAP_TRUSTED_CERTS") or None)
    except cap_rules.CapError as error:
        raise ValidationFailed(error.message, {error.field: error.message}, code="invalid_cap") from None
    if message.status not in RECORDED_STATUSES:
        raise ValidationFailed(_l("Bản tin trạng thái “%(status)s” không được nhận; chỉ Actual, Exercise hoặc Test.",
                                  status=message.status), {"status": _l("Không nhận trạng thái này.")}, code="invalid_cap")
    if message.msg_type in ("Update", "Cancel"):
        earlier = _referenced(message)
        for alert in earlier:  # every one first, so a refusal leaves all of them as they were
            require_may_end(actor, alert, message.status)
        if message.msg_type == "Cancel":
            for alert in earlier:
                if alert.cancelled_at is None:
                    cancel(alert, actor, reason="alert.cancel")
            return earlier[-1], "cancelled"
    if not message.infos:
        raise ValidationFailed(_l("Bản tin CAP không có phần <info>."), {"info": _l("Bắt buộc.")}, code="invalid_cap")
    fields = _fields_from_cap(message, actor)
    alert, job_id = _store(fields, actor, source="cap", status=message.status, identifier=message.identifier,
                   sender=message.sender, sent_at=message.sent, references=message.references,
                   area_desc=_primary(message).area_desc)
    action = "alert.raise"
    withdrawals: list[int | None] = []
    if message.msg_type == "Update":
        action = "alert.update"
        for old in earlier:
            old.replaced_by_id = alert.id
            if old.cancelled_at is None:
                old.cancelled_at = utcnow()
            withdrawals.append(_withdraw_job(old))
    audit.record(actor, action, "alert", alert.id, unit_code=_audit_unit(alert),
                 after={"identifier": alert.identifier, "status": alert.status, "headline": alert.headline,
                        "level": alert.level, "units": alert.unit_codes, "screens": alert.kiosk_count,
                        "replaces": [a.id for a in earlier] if message.msg_type == "Update" else []})
    db.session.commit()
    _go_out(alert, job_id, *withdrawals)  # the replaced alerts leave the screens first
    return alert, "updated" if message.msg_type == "Update" else "raised"


def _referenced(message: cap_rules.CapAlert) -> list[Alert]:
    if not message.references:
        raise ValidationFailed(_l("Bản tin %(type)s phải có <references> tới bản tin trước.", type=message.msg_type),
                               {"references": _l("Bắt buộc.")}, code="invalid_cap")
    found = db.session.scalars(select(Alert).where(Alert.identifier.in_(message.references))).all()
    if not found:
        raise NotFound(_l("Không tìm thấy bản tin được tham chiếu trong <references>."),
                       {"references": _l("Không có bản tin này.")}, code="unknown_reference")
    return sorted(found, key=lambda a: a.id)


def _primary(message: cap_rules.CapAlert) -> cap_rules.CapInfo:
    return next((i for i in message.infos if i.language.lower().startswith("vi")), message.infos[0])


def _fields_from_cap(message: cap_rules.CapAlert, actor: User | str | None) -> dict:
    primary = _primary(message)
    errors: dict[str, Any] = {}
    hazard = primary.event_codes.get(cap_rules.HAZARD_CODE)
    if hazard not in hazard_names():
        hazard = "other"
    level_text = primary.parameters.get(cap_rules.LEVEL_PARAMETER, "")
    level = int(level_text) if level_text.isdigit() and 1 <= int(level_text) <= 5 else (
        hazard_rules.SEVERITY_TO_LEVEL.get(primary.severity, 3))
    if primary.expires is None:
        errors["expires"] = _l("Bản tin CAP phải có <expires> để biết khi nào gỡ cảnh báo.")
    elif primary.expires <= utcnow():
        errors["expires"] = _l("Thời điểm <expires> đã qua.")
    headline = (primary.headline or primary.event)[:MAX_HEADLINE]
    if not headline:
        errors["headline"] = _l("Bản tin CAP cần <headline> hoặc <event>.")
    codes = primary.unit_codes or [c for i in message.infos for c in i.unit_codes]
    if not codes:
        # No codes: the areas may name official units instead ("Phường Minh Xuân").
        from kiosk_server.services.core.units import codes_for_names

        codes, _matched, left = codes_for_names(primary.area_names, actor.unit_code if isinstance(actor, User) else None)
        if left:
            codes = []
            errors["area"] = _l("Không nhận ra đơn vị “%(name)s” trong <areaDesc>; hãy dùng tên chính thức hoặc "
                                "<geocode> với valueName “unit_code”.", name=left[0][:80])
    if not codes and "area" not in errors:
        errors["area"] = _l("Vùng cảnh báo phải có <geocode> với valueName “unit_code”.")
    elif codes:
        codes = _check_units(list(dict.fromkeys(codes)), actor if isinstance(actor, User) else None, errors, "area")
    if errors:
        raise ValidationFailed(_l("Bản tin CAP chưa dùng được; xem lỗi của từng phần."), errors, code="invalid_cap")
    return {
        "headline": headline, "description": primary.description[:MAX_TEXT],
        "instruction": primary.instruction[:MAX_TEXT], "hazard": hazard, "level": level,
        "expires_at": primary.expires, "effective_at": primary.effective, "unit_codes": codes, "sound": level >= 4,
        "language": primary.language,
        "translations": [{"language": i.language, "headline": (i.headline or i.event)[:MAX_HEADLINE],
                          "description": i.description[:MAX_TEXT], "instruction": i.instruction[:MAX_TEXT]}
                         for i in message.infos if i is not primary],
    }


def to_cap(alert: Alert) -> bytes:
    """Return the alert as a CAP 1.2 document, so a provincial source system can take it too."""
    from kiosk_server.models import Unit

    category = hazard_rules.CAP_CATEGORY.get(alert.hazard, "Other")
    severity = hazard_rules.LEVEL_TO_SEVERITY[alert.level]
    sender_name = ", ".join(db.session.scalars(select(Unit.name).where(Unit.code.in_(alert.unit_codes[:1]))).all())
    base = {"category": category, "event": hazard_names().get(alert.hazard, alert.hazard), "urgency": "Immediate",
            "severity": severity, "certainty": "Observed" if alert.level >= 4 else "Likely", "hazard": alert.hazard,
            "effective": alert.effective_at, "expires": alert.expires_at, "sender_name": sender_name or _sender(),
            "level": alert.level, "unit_codes": alert.unit_codes, "area_desc": alert.area_desc or "—"}
    infos = [{**base, "language": "vi-VN" if alert.language == "vi" else alert.language, "headline": alert.headline,
              "description": alert.description, "instruction": alert.instruction}]
    infos += [{**base, "language": t["language"], "headline": t["headline"], "description": t.get("description", ""),
               "instruction": t.get("instruction", "")} for t in alert.translations or []]
    # CAP references are "sender,identifier,sent" triples of the messages this one updates.
    earlier = db.session.scalars(select(Alert).where(Alert.identifier.in_(alert.references or []))).all()
    references = [f"{a.sender},{a.identifier},{a.sent_at.astimezone(schedule.VN).replace(microsecond=0).isoformat()}"
                  for a in earlier]
    return cap_rules.build({"identifier": alert.identifier, "sender": alert.sender, "sent": alert.sent_at,
                            "status": alert.status, "msg_type": "Update" if references else "Alert",
                            "references": references, "infos": infos})
