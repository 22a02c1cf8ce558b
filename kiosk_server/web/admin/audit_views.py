"""The audit log, read-only, filtered to the officer's scope."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry
from kiosk_server.services.core import scope
from kiosk_server.web import paging
from kiosk_server.web.admin.access import permission_required

PAGE = 50


@permission_required("read_audit")
def audit_list():
    action = (request.args.get("action") or "").strip()[:64]
    actor = (request.args.get("actor") or "").strip()[:254]
    query = select(AuditEntry)
    if current_user.unit_code is not None:
        query = query.where(scope.scope_filter(current_user, AuditEntry.unit_code))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor:
        query = query.where(AuditEntry.actor.ilike(f"%{actor}%"))
    listed = paging.paginate(query.order_by(AuditEntry.id.desc()), PAGE)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template(
        "admin/audit.html", entries=listed.items, action=action, actor=actor, actions=actions,
        page=listed.page, pages=listed.pages, total=listed.total,
    )
