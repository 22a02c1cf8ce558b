"""The audit log, read-only, filtered to the officer's scope."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry
from kiosk_server.services import scope
from kiosk_server.web.admin.access import permission_required

PAGE = 50


@permission_required("read_audit")
def audit_list():
    action = (request.args.get("action") or "").strip()[:64]
    actor = (request.args.get("actor") or "").strip()[:254]
    page = max(1, request.args.get("page", 1, type=int))
    query = select(AuditEntry)
    if current_user.unit_code is not None:
        query = query.where(scope.scope_filter(current_user, AuditEntry.unit_code))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor:
        query = query.where(AuditEntry.actor.ilike(f"%{actor}%"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE).limit(PAGE)).all()
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template(
        "admin/audit.html", entries=entries, action=action, actor=actor, actions=actions,
        page=page, pages=max(1, -(-total // PAGE)), total=total,
    )
