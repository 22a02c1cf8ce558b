"""Information sources: upstream CAP warnings and RSS/Atom bulletins, polled once across processes.

What a source brings takes the officers' own paths, never a side door:
- a CAP message goes through `alerts.from_cap`, exactly as `POST /api/v1/alerts` does (parsing,
  signatures, Update/Cancel through `end_refusal`), with the source's agent as the actor: an
  officer record that never signs in, whose scope is exactly the source's unit. A source that may
  not publish on its own leaves each message waiting for an approver, who sends it as themselves;
- a bulletin becomes a notice through `notices.create_notice` by the same agent, so the workflow
  applies: a normal-class item stays a draft for an editor to schedule and submit; priority and
  emergency items are submitted, and published at once only when an approver trusted the source
  (`auto_publish`), that approver standing as the second officer.

Whoever created a source or last set its address, unit, targets or class (`Source.author_ids`) wrote
what it brings: the workflow refuses them as approver of its notices, and they cannot be its trust.
Trusting is an act of its own (`trust`) by another approver; any change of those fields drops it.

Polling is stored due work (services/core/due.py): one `source.poll` job per source and generation. A
poll first takes the source's lease with a conditional update, so the scheduled poll and "poll
now" never overlap, and whichever process finishes it stores the next job in the same commit as
the source's health. A job of an older generation (the source was edited) does nothing.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from werkzeug.security import generate_password_hash

from kiosk_server.domain import cap as cap_rules
from kiosk_server.domain import feeds, roles
from kiosk_server.domain import sources as rules
from kiosk_server.domain.sanitise import is_safe_url, plain_text
from kiosk_server.extensions import db
from kiosk_server.models import Alert, DueJob, Notice, Source, SourceItem, Unit, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.content import notices
from kiosk_server.services.content.notice_input import MAX_BODY, MAX_TITLE
from kiosk_server.services.content.schedule_input import parse_targets
from kiosk_server.services.core import audit, due, scope
from kiosk_server.services.core.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from kiosk_server.services.core.fields import FieldReader
from kiosk_server.services.sources import fetch

POLL_JOB = "source.poll"
JOB_KINDS = (POLL_JOB,)  # run by their own loop (tasks.py): a slow source never delays an alert's due work
LEASE = timedelta(minutes=5)  # longer than one poll can take: fetches are capped, and so is a poll
FIELDS = ("name", "kind", "url", "unit_code", "targets", "poll_seconds", "bulletin_class", "auto_publish", "active")
ACCEPT = {
    "cap": f"{cap_rules.CONTENT_TYPE}, application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
}
KIND_LABELS = {"cap": _l("Cảnh báo CAP"), "feed": _l("Bản tin RSS/Atom")}
CLASS_LABELS = {"normal": _l("Thông thường"), "priority": _l("Ưu tiên"), "emergency": _l("Khẩn cấp")}
ITEM_LABELS = {"taken": _l("Đã nhận"), "waiting": _l("Chờ phát"), "refused": _l("Bị từ chối"),
               "dismissed": _l("Đã bỏ qua")}
UNEXPECTED = "Lỗi không mong đợi khi lấy tin; lỗi đã được ghi lại."


# --- reading ------------------------------------------------------------------------------------

def source_json(source: Source) -> dict:
    """Return the source as the API shows it, health included."""
    def stamp(value):
        return value.isoformat() if value else None

    return {
        "id": source.id, "name": source.name, "kind": source.kind, "url": source.url, "unit_code": source.unit_code,
        "targets": source.targets or {}, "poll_seconds": source.poll_seconds, "bulletin_class": source.bulletin_class,
        "auto_publish": source.auto_publish, "active": source.active,
        "trusted_by": source.trusted_by.email if source.trusted_by else None,
        "last_polled_at": stamp(source.last_polled_at), "last_success_at": stamp(source.last_success_at),
        "next_poll_at": stamp(source.next_poll_at), "last_error": source.last_error or None,
        "items_taken": source.items_taken, "created_at": stamp(source.created_at),
    }


def visible_query(actor: User):
    """Return a query of the sources in `actor`'s scope, by name."""
    return select(Source).where(scope.scope_filter(actor, Source.unit_code)).order_by(Source.name, Source.id)


def items_of(source: Source, limit: int = 50) -> list[SourceItem]:
    """Return the newest items the source brought."""
    return list(db.session.scalars(select(SourceItem).where(SourceItem.source_id == source.id)
                                   .order_by(SourceItem.id.desc()).limit(limit)))


def queue(actor: User, limit: int = 100) -> list[SourceItem]:
    """Return what sources brought that waits for an officer: CAP messages to send, notices not yet published."""
    return list(db.session.scalars(
        select(SourceItem).join(Source, Source.id == SourceItem.source_id)
        .outerjoin(Notice, Notice.id == SourceItem.notice_id)
        .where(scope.scope_filter(actor, Source.unit_code),
               or_(SourceItem.status == "waiting",
                   (SourceItem.status == "taken") & Notice.status.in_(("draft", "submitted"))))
        .order_by(SourceItem.id.desc()).limit(limit)))


def notice_ids_of(source_id: int):
    """Return a subquery of the ids of the notices a source brought."""
    return select(SourceItem.notice_id).where(SourceItem.source_id == source_id, SourceItem.notice_id.is_not(None))


def names_by_notice(notice_ids: set[int]) -> dict[int, str]:
    """Return the name of the source of each notice among `notice_ids` that came from one."""
    if not notice_ids:
        return {}
    return dict(db.session.execute(select(SourceItem.notice_id, Source.name)
                                   .join(Source, Source.id == SourceItem.source_id)
                                   .where(SourceItem.notice_id.in_(notice_ids))).all())


# --- writing ------------------------------------------------------------------------------------

def _read_url(fields: FieldReader) -> None:
    url = fields.data.get("url")
    url = url.strip() if isinstance(url, str) else url
    try:
        rules.check_url(url)
    except rules.AddressRefused as error:
        fields.refuse("url", error.message)
        return
    fields.keep("url", url)


def _read_poll_seconds(fields: FieldReader) -> None:
    try:
        fields.keep("poll_seconds", rules.check_poll_seconds(fields.data.get("poll_seconds", rules.DEFAULT_POLL_SECONDS)))
    except ValueError:
        fields.refuse("poll_seconds", _l("Chu kỳ lấy tin là số giây từ %(low)d đến %(high)d.",
                                         low=rules.MIN_POLL_SECONDS, high=rules.MAX_POLL_SECONDS))


def _read(data: Any, partial: bool) -> dict:
    fields = FieldReader(data, FIELDS, partial=partial)
    name_fault = _l("Hãy đặt tên nguồn (1 đến 200 ký tự).")
    fields.text("name", name_fault, most=200, too_long=name_fault, squeeze=True)
    fields.choice("kind", rules.KINDS, _l("Loại nguồn là cap (cảnh báo CAP) hoặc feed (bản tin RSS/Atom)."))
    if fields.wants("url"):
        _read_url(fields)
    fields.text("unit_code", _l("Hãy chọn đơn vị sở hữu nguồn."))
    fields.parse("targets", parse_targets)
    if fields.wants("poll_seconds"):
        _read_poll_seconds(fields)
    fields.choice("bulletin_class", rules.BULLETIN_CLASSES, default="normal",
                  message=_l("Loại tin là normal (thông thường), priority (ưu tiên) hoặc emergency (khẩn cấp)."))
    fields.flag("auto_publish", False)
    fields.flag("active", True)
    return fields.finish(_l("Nguồn tin chưa hợp lệ; xem lỗi của từng trường."))


def _check(fields: dict, actor: User) -> None:
    """Refuse a source the actor could not run themselves: role, unit scope, targets, who may trust it."""
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được quản lý nguồn tin."))
    scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, fields["unit_code"])
    for code in fields["targets"]["units"]:
        scope.get_unit(code, field="targets")
    # A source's items reach only what its own unit may reach: the agent is scoped to that unit.
    outside = [code for code in scope.target_unit_codes(fields["targets"])
               if code not in scope.descendant_codes(fields["unit_code"])]
    if outside:
        raise ValidationFailed(_l("Nơi hiển thị phải thuộc đơn vị sở hữu nguồn."),
                               {"targets": _l("Ngoài đơn vị của nguồn: %(codes)s.", codes=", ".join(sorted(outside)))})
    scope.require_targets_in_scope(actor, fields["targets"])
    if fields["auto_publish"] and not roles.can(actor.role, "approve"):
        raise Forbidden(_l("Chỉ cán bộ duyệt tin mới được cho nguồn tự phát hành."),
                        {"auto_publish": _l("Cần quyền duyệt tin.")})


def _agent_role(fields: dict) -> str:
    # Raising an alert needs an approver's role; a feed's agent only writes drafts.
    return "approver" if fields["kind"] == "cap" and fields["auto_publish"] else "editor"


def create_source(data: Any, actor: User) -> Source:
    """Create a source from the contract's body; its first poll is due at once. Return it."""
    fields = _read(data, partial=False)
    _check(fields, actor)
    _require_room(fields["unit_code"])
    # The agent never signs in: inactive, with the hash of a random password nobody ever saw.
    agent = User(email=f"source-{uuid.uuid4().hex[:12]}@nguon-tin.invalid", name=f"Nguồn tin: {fields['name']}"[:200],
                 password_hash=generate_password_hash(secrets.token_urlsafe(32)), role=_agent_role(fields),
                 unit_code=fields["unit_code"], active=False)
    db.session.add(agent)
    db.session.flush()
    # Not trusted yet, whoever creates it: its creator is its author, and trust needs another approver.
    source = Source(**fields, agent_id=agent.id, created_by_id=actor.id, next_poll_at=utcnow())
    db.session.add(source)
    db.session.flush()
    due.schedule(POLL_JOB, {"id": source.id, "gen": 0})
    audit.record(actor, "source.create", "source", source.id, unit_code=source.unit_code,
                 after={"name": source.name, "kind": source.kind, "url": source.url,
                        "auto_publish": source.auto_publish})
    db.session.commit()
    return source


def update_source(source: Source, data: Any, actor: User) -> Source:
    """Apply a partial edit; the schedule starts afresh (a poll now when active)."""
    changes = _read(data, partial=True)
    if "kind" in changes and changes["kind"] != source.kind:
        raise ValidationFailed(_l("Không đổi được loại của nguồn đã tạo; hãy tạo nguồn mới."),
                               {"kind": _l("Không đổi được.")})
    fields = {name: getattr(source, name) for name in FIELDS}
    fields["targets"] = parse_targets(source.targets, {})
    scope.require_scope(actor, source.unit_code)
    # The officer UI posts every field: only a value that differs sets anything.
    authoring = [name for name in rules.AUTHORING_FIELDS if name in changes and changes[name] != fields[name]]
    fields.update(changes)
    _check(fields, actor)
    if "unit_code" in authoring:
        _require_room(fields["unit_code"])
    before = {name: getattr(source, name) for name in changes}
    after = dict(changes)
    for name, value in changes.items():
        setattr(source, name, value)
    if "url" in changes:
        source.etag, source.last_modified = "", ""
    if authoring:
        source.set_by = {**(source.set_by or {}), **dict.fromkeys(authoring, actor.id)}
    if source.trusted_by_id is not None and (authoring or not source.auto_publish):
        # The approver trusted another feed (or other screens): they must look again, or another approver.
        before["trusted_by"], after["trusted_by"] = source.trusted_by.email, None
        source.trusted_by_id = None
    source.agent.role = _agent_role(fields)
    source.agent.unit_code = source.unit_code
    _reschedule(source)
    audit.record(actor, "source.update", "source", source.id, unit_code=source.unit_code, before=before,
                 after=after)
    db.session.commit()
    return source


def trust(source: Source, actor: User) -> Source:
    """Let the source publish on its own, `actor` standing as the second officer of all it brings; return it."""
    if not roles.can(actor.role, "approve"):
        raise Forbidden(_l("Chỉ cán bộ duyệt tin mới được cho nguồn tự phát hành."))
    scope.require_scope(actor, source.unit_code)
    scope.require_targets_in_scope(actor, parse_targets(source.targets, {}))
    if actor.id in source.author_ids():
        raise Forbidden(_l("Người cho nguồn tự phát hành phải là cán bộ duyệt tin khác với người tạo nguồn hoặc "
                           "người đã đặt địa chỉ, đơn vị, nơi hiển thị hay loại tin của nguồn."), code="self_approval")
    before = {"auto_publish": source.auto_publish,
              "trusted_by": source.trusted_by.email if source.trusted_by else None}
    source.auto_publish, source.trusted_by_id = True, actor.id
    source.agent.role = _agent_role({"kind": source.kind, "auto_publish": True})
    audit.record(actor, "source.trust", "source", source.id, unit_code=source.unit_code, before=before,
                 after={"auto_publish": True, "trusted_by": actor.email})
    db.session.commit()
    return source


def _require_room(unit_code: str) -> None:
    """Refuse a source for a unit that holds as many as it may."""
    most = int(current_app.config["SOURCE_MAX_PER_UNIT"])
    held = db.session.scalar(select(func.count()).select_from(Source).where(Source.unit_code == unit_code))
    if held >= most:
        raise Conflict(_l("Mỗi đơn vị có tối đa %(n)d nguồn tin; hãy xóa hoặc sửa một nguồn cũ.", n=most),
                       {"unit_code": _l("Đơn vị đã có %(n)d nguồn tin.", n=held)}, code="too_many_sources")


def _reschedule(source: Source) -> None:
    source.poll_generation += 1
    source.failures = 0
    now = utcnow()
    # An edit starts the schedule afresh, but never fetches sooner than the minimum interval allows.
    source.next_poll_at = now + timedelta(seconds=rules.seconds_before_poll(source.last_polled_at, now)) \
        if source.active else None
    if source.active:
        due.schedule(POLL_JOB, {"id": source.id, "gen": source.poll_generation}, source.next_poll_at)


# --- polling ------------------------------------------------------------------------------------

def _claim(source_id: int, generation: int | None) -> bool:
    """Take the source's lease (and, for a scheduled poll, check its generation); True when taken."""
    now = utcnow()
    query = update(Source).where(Source.id == source_id, or_(Source.lease_until.is_(None), Source.lease_until < now))
    if generation is not None:
        query = query.where(Source.poll_generation == generation)
    taken = db.session.execute(query.values(lease_until=now + LEASE).execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


@due.handler(POLL_JOB)
def _poll_when_due(payload: dict) -> None:
    source_id, generation = payload.get("id"), payload.get("gen")
    source = db.session.get(Source, source_id)
    if source is None or not source.active or source.poll_generation != generation:
        return  # removed, paused or rescheduled: a newer job carries the schedule
    if not _claim(source_id, generation):
        # "Poll now" (or a process that died mid-poll) holds the lease: look again when it lapses.
        db.session.refresh(source)
        if source.poll_generation == generation:
            due.schedule(POLL_JOB, payload, (source.lease_until or utcnow()) + timedelta(seconds=1))
        return
    _poll(source_id, scheduled=True)


def poll_now(source: Source, actor: User) -> int:
    """Poll the source at once for an officer; return how many new items it brought."""
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được lấy tin từ nguồn."))
    scope.require_scope(actor, source.unit_code)
    source_id = source.id
    wait = rules.seconds_before_poll(source.last_polled_at, utcnow())
    if wait:
        raise Conflict(_l("Nguồn vừa được lấy tin; mỗi nguồn cách nhau ít nhất %(low)d giây, hãy thử lại sau "
                          "%(n)d giây.", low=rules.MIN_POLL_SECONDS, n=wait), code="poll_too_soon")
    if not _claim(source_id, None):
        raise Conflict(_l("Nguồn đang được lấy tin; hãy thử lại sau ít phút."), code="poll_in_progress")
    audit.record(actor, "source.poll", "source", source_id, unit_code=source.unit_code)
    db.session.commit()
    return _poll(source_id, scheduled=False)


def poll_due(now: datetime | None = None, limit: int = 10) -> int:
    """Run the polls that are due, CAP sources first and side by side; return how many were done."""
    now = now or utcnow()
    jobs = db.session.execute(
        select(DueJob.id, DueJob.payload, DueJob.due_at)
        .where(DueJob.kind == POLL_JOB, DueJob.due_at <= now,
               or_(DueJob.claimed_until.is_(None), DueJob.claimed_until < now))
        .order_by(DueJob.due_at, DueJob.id).limit(limit)).all()
    ids = {(payload or {}).get("id") for _, payload, _ in jobs}
    kinds = dict(db.session.execute(select(Source.id, Source.kind).where(Source.id.in_(ids))).all())
    order = rules.poll_order([(job_id, kinds.get((payload or {}).get("id"), ""), due_at)
                              for job_id, payload, due_at in jobs])
    db.session.commit()  # end the read transaction before the network waits
    workers = int(current_app.config["SOURCE_POLL_WORKERS"])
    if workers <= 1 or len(order) <= 1:
        return sum(due.run_job(job_id, now) for job_id in order)
    app = current_app._get_current_object()

    def run(job_id: int) -> bool:
        with app.app_context():
            try:
                return due.run_job(job_id, now)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(run, order))


def _poll(source_id: int, *, scheduled: bool) -> int:
    """Fetch and take in what is new; record the source's health; return the count of new items."""
    source = db.session.get(Source, source_id)
    outcome = {"new": 0, "error": "", "etag": source.etag, "last_modified": source.last_modified}
    try:
        got = fetch.fetch(source.url, etag=source.etag, last_modified=source.last_modified, accept=ACCEPT[source.kind])
        if got.status == 200:
            document = feeds.read(got.body)
            if source.kind == "cap":
                _take_cap(source_id, document, got, outcome)
            else:
                _take_bulletins(source_id, document, got, outcome)
            outcome.update(etag=got.etag, last_modified=got.last_modified)
    except (fetch.FetchRefused, feeds.FeedError) as error:
        db.session.rollback()
        outcome["error"], outcome["failed"] = error.message, True
    except Exception:  # one broken source must not stop polling: record it and keep the schedule
        db.session.rollback()
        current_app.logger.exception("polling source %s failed", source_id)
        outcome["error"], outcome["failed"] = UNEXPECTED, True
    _finish(source_id, outcome, scheduled)
    return outcome["new"]


def _finish(source_id: int, outcome: dict, scheduled: bool) -> None:
    source = db.session.get(Source, source_id)
    if source is None:
        return
    now = utcnow()
    source.last_polled_at = now
    source.last_error = outcome["error"]
    if outcome.get("failed"):
        source.failures += 1
    else:
        source.failures = 0
        source.last_success_at = now
        source.etag, source.last_modified = outcome["etag"] or "", outcome["last_modified"] or ""
    source.lease_until = None
    if scheduled and source.active:
        source.poll_generation += 1
        source.next_poll_at = now + timedelta(seconds=rules.next_poll_delay(source.poll_seconds, source.failures))
        due.schedule(POLL_JOB, {"id": source.id, "gen": source.poll_generation}, source.next_poll_at)
    db.session.commit()


def _seen(source_id: int, key: str | None = None, link: str | None = None) -> bool:
    conditions = []
    if key:
        conditions.append(SourceItem.key == key[:500])
    if link:
        conditions.append(SourceItem.link == link[:1000])
    return bool(conditions) and db.session.scalar(
        select(SourceItem.id).where(SourceItem.source_id == source_id, or_(*conditions)).limit(1)) is not None


def _refuse(source_id: int, key: str, link: str | None, title: str, message: str, outcome: dict) -> None:
    db.session.add(SourceItem(source_id=source_id, key=key[:500], link=(link or None) and link[:1000],
                              title=title[:300], status="refused", error=message))
    db.session.commit()
    outcome["error"] = str(_l("Tin “%(title)s” bị từ chối: %(reason)s", title=(title or key)[:80], reason=message))


# --- CAP ---

def _take_cap(source_id: int, document: feeds.Document, got: fetch.Fetched, outcome: dict) -> None:
    if document.kind == "cap":
        _take_cap_document(source_id, document.cap_identifier, got.body, got.url, outcome)
        return
    # An index (Atom/RSS) whose entries link to CAP documents: the oldest first, so an Update
    # finds the Alert it replaces already taken.
    deadline = time.monotonic() + float(current_app.config["SOURCE_POLL_DEADLINE"])
    limits = fetch.Limits.from_config()
    for entry in reversed(document.entries):
        target = entry.cap_link or entry.link
        if not target:
            continue
        link = urljoin(got.url, target)
        if _seen(source_id, entry.key, link):
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0 or _queue_full(source_id, 0, outcome):
            break
        try:
            body = fetch.fetch(link, accept=ACCEPT["cap"],
                               limits=dataclasses.replace(limits, total_timeout=min(limits.total_timeout, remaining))).body
            inner = feeds.read(body)
        except (fetch.FetchRefused, feeds.FeedError) as error:
            # Not stored as refused: a network fault passes, and the next poll tries the link again.
            outcome["error"] = str(_l("Không lấy được bản tin “%(title)s”: %(reason)s",
                                      title=(entry.title or link)[:80], reason=error.message))
            continue
        if inner.kind != "cap":
            _refuse(source_id, entry.key, link, entry.title, str(_l("Liên kết không dẫn tới bản tin CAP 1.2.")), outcome)
            continue
        _take_cap_document(source_id, inner.cap_identifier, body, link, outcome)


def _trusted(source: Source) -> bool:
    """Return True while the source may publish on its own: its trusting approver still could, over its unit,
    and is none of its authors."""
    officer = source.trusted_by
    return (source.auto_publish and officer is not None and officer.active and roles.can(officer.role, "approve")
            and scope.in_scope(officer, source.unit_code) and officer.id not in source.author_ids())


def _queue_full(source_id: int, adding: int, outcome: dict) -> bool:
    """Return True (and say so in the source's health) when `adding` more bytes would overfill the waiting queue."""
    config = current_app.config
    most = int(config["SOURCE_MAX_WAITING"])
    most_bytes = int(config["SOURCE_MAX_WAITING_KB"]) * 1024
    count, size = db.session.execute(
        select(func.count(), func.coalesce(func.sum(func.length(SourceItem.document)), 0))
        .where(SourceItem.source_id == source_id, SourceItem.status == "waiting")).one()
    if count < most and size + adding <= most_bytes:
        return False
    outcome["error"] = str(_l("Hàng chờ của nguồn đã đầy (%(n)d bản tin, %(kb)d KB); bản tin mới được lấy khi cán bộ "
                              "duyệt tin đã phát hoặc bỏ qua bớt.", n=count, kb=size // 1024))
    return True


def _take_cap_document(source_id: int, identifier: str, body: bytes, link: str, outcome: dict) -> None:
    if _seen(source_id, identifier):
        return
    source = db.session.get(Source, source_id)
    if not _trusted(source):
        # Read now, so a message that could never be sent is refused with its reason at once.
        try:
            message = cap_rules.parse(body, trusted_certs=current_app.config.get("CAP_TRUSTED_CERTS") or None)
        except cap_rules.CapError as error:
            _refuse(source_id, identifier, link, "", error.message, outcome)
            return
        title = next((i.headline or i.event for i in message.infos), "") or f"{message.msg_type} {identifier}"
        if _queue_full(source_id, len(body), outcome):
            return  # not stored: the next poll brings it once approvers have sent or set aside the waiting ones
        db.session.add(SourceItem(source_id=source_id, key=identifier[:500], link=link[:1000], title=title[:300],
                                  status="waiting", document=body, note=_cap_note(message)))
        db.session.commit()
        outcome["new"] += 1
        return
    # The item is added first so it commits with the alert: a crash between the two cannot take it twice.
    item = SourceItem(source_id=source_id, key=identifier[:500], link=link[:1000], status="taken")
    db.session.add(item)
    try:
        alert, what = alerts.from_cap(body, source.agent)
    except ServiceError as error:
        db.session.rollback()
        _refuse(source_id, identifier, link, "", str(error.message), outcome)
        return
    _record_alert(source_id, identifier, link, alert, what)
    outcome["new"] += 1


def _cap_note(message: cap_rules.CapAlert) -> str:
    info = next(iter(message.infos), None)
    if info is None:
        return message.msg_type
    return f"{message.msg_type} · {info.area_desc}" if info.area_desc else message.msg_type


def _area_note(alert: Alert, what: str) -> str:
    names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(alert.unit_codes))).all())
    matched = ", ".join(f"{names.get(code, code)} ({code})" for code in alert.unit_codes)
    verb = {"raised": _l("Đã phát"), "updated": _l("Đã cập nhật"), "cancelled": _l("Đã hủy")}[what]
    return str(_l("%(verb)s cảnh báo số %(id)s. Vùng “%(area)s” → %(units)s", verb=verb, id=alert.id,
                  area=alert.area_desc or "—", units=matched))


def _record_alert(source_id: int, identifier: str, link: str, alert: Alert, what: str) -> None:
    item = db.session.scalar(select(SourceItem).where(SourceItem.source_id == source_id,
                                                      SourceItem.key == identifier[:500]))
    if item is None:  # the path rolled its own session back (a refusal it audited) before succeeding
        item = SourceItem(source_id=source_id, key=identifier[:500], link=link[:1000], status="taken")
        db.session.add(item)
    item.status, item.alert_id, item.title = "taken", alert.id, alert.headline[:300]
    item.note, item.document = _area_note(alert, what), None
    db.session.execute(update(Source).where(Source.id == source_id).values(items_taken=Source.items_taken + 1))
    db.session.commit()


def send_waiting(item: SourceItem, actor: User) -> Alert:
    """Send a waiting CAP message as `actor` (the same path as `POST /api/v1/alerts`); return the alert."""
    if item.status != "waiting" or not item.document:
        raise Conflict(_l("Bản tin này không còn chờ phát."), code="not_waiting")
    scope.require_scope(actor, item.source.unit_code)
    source_id, key, link, body = item.source_id, item.key, item.link or "", item.document
    alert, what = alerts.from_cap(body, actor)
    _record_alert(source_id, key, link, alert, what)
    return alert


def dismiss(item: SourceItem, actor: User) -> SourceItem:
    """Set a waiting CAP message aside (it is kept, and never taken again)."""
    if not roles.can(actor.role, "raise_alert"):
        raise Forbidden(_l("Chỉ cán bộ duyệt tin trở lên mới được bỏ qua cảnh báo."))
    scope.require_scope(actor, item.source.unit_code)
    if item.status != "waiting":
        raise Conflict(_l("Bản tin này không còn chờ phát."), code="not_waiting")
    item.status = "dismissed"
    audit.record(actor, "source.dismiss", "source", item.source_id, unit_code=item.source.unit_code,
                 after={"key": item.key})
    db.session.commit()
    return item


# --- bulletins ---

def _take_bulletins(source_id: int, document: feeds.Document, got: fetch.Fetched, outcome: dict) -> None:
    if document.kind == "cap":
        raise feeds.FeedError(str(_l("Địa chỉ này trả về bản tin CAP; hãy tạo nguồn loại “Cảnh báo CAP”.")))
    for entry in reversed(document.entries):  # oldest first: the queue reads in the order they were written
        if _seen(source_id, entry.key):
            continue
        _take_bulletin(source_id, entry, got.url, outcome)


def _take_bulletin(source_id: int, entry: feeds.Entry, base_url: str, outcome: dict) -> None:
    source = db.session.get(Source, source_id)
    link = urljoin(base_url, entry.link) if entry.link else None
    link = link if link and is_safe_url(link) else None
    summary_text = plain_text(entry.summary)
    title = plain_text(entry.title)[:MAX_TITLE] or summary_text[:80] or str(_l("Tin từ %(name)s", name=source.name))
    data = {"title": title, "body": entry.summary[:MAX_BODY], "unit_code": source.unit_code,
            "targets": source.targets or {}, "priority": source.bulletin_class, "qr_url": link}
    item = SourceItem(source_id=source_id, key=entry.key[:500], link=link and link[:1000], title=title[:300],
                      status="taken")
    db.session.add(item)  # committed with the notice
    agent = source.agent
    try:
        notice = notices.create_notice(data, agent)
    except ServiceError as error:
        db.session.rollback()
        _refuse(source_id, entry.key, link, title, str(error.message), outcome)
        return
    item.notice_id = notice.id
    db.session.execute(update(Source).where(Source.id == source_id).values(items_taken=Source.items_taken + 1))
    db.session.commit()
    outcome["new"] += 1
    if notice.priority == "normal":
        return  # the commune decides whether and when: an editor schedules it and submits it
    source = db.session.get(Source, source_id)
    try:
        notices.submit(notice, source.agent)
        if _trusted(source):
            notices.approve(notice, source.trusted_by)
    except ServiceError as error:
        db.session.rollback()
        item = db.session.get(SourceItem, item.id)
        item.error = str(error.message)
        db.session.commit()
        outcome["error"] = str(_l("Tin “%(title)s” chưa tự phát hành được: %(reason)s", title=title[:80],
                                  reason=error.message))
