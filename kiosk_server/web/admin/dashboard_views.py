"""The officer's home page: what needs attention now in their scope, then what is in it."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Kiosk, Unit, User
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import attention
from kiosk_server.web.admin.media_views import media_space_warning


@login_required
def dashboard():
    unit_filter = scope.scope_filter(current_user, Unit.code)
    counts = {
        "units": db.session.scalar(select(func.count()).select_from(Unit).where(unit_filter)),
        "kiosks": db.session.scalar(
            select(func.count()).select_from(Kiosk).where(
                scope.scope_filter(current_user, Kiosk.unit_code), Kiosk.revoked_at.is_(None)
            )
        ),
        "users": db.session.scalar(
            select(func.count()).select_from(User).where(scope.scope_filter(current_user, User.unit_code))
        ),
    }
    recent = []
    if roles.can(current_user.role, "read_audit"):
        recent = db.session.scalars(
            select(AuditEntry)
            .where(scope.scope_filter(current_user, AuditEntry.unit_code))
            .order_by(AuditEntry.id.desc())
            .limit(8)
        ).all()
    return render_template("admin/dashboard.html", counts=counts, recent=recent, unit=current_user.unit,
                           needs=attention.attention(current_user), space_warning=media_space_warning())
