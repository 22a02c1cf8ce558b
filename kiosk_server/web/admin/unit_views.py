"""Browsing the administrative units in the officer's scope."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Unit
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging

PAGE = 50


@login_required
def unit_list():
    q = (request.args.get("q") or "").strip()[:100]
    query = select(Unit).where(scope.scope_filter(current_user, Unit.code))
    if q:
        query = query.where((Unit.name.ilike(f"%{q}%")) | (Unit.code == q))
    elif current_user.unit_code is None:
        query = query.where(Unit.level == "province")
    else:
        query = query.where(Unit.code == current_user.unit_code)
    listed = paging.paginate(query.order_by(Unit.code), PAGE)
    return render_template("admin/units.html", units=listed.items, q=q, page=listed.page, pages=listed.pages,
                           total=listed.total)


@login_required
def unit_detail(code: str):
    unit = lookup.get_visible(Unit, code, current_user)
    kiosk_counts = dict(
        db.session.execute(
            select(Kiosk.unit_code, func.count()).where(Kiosk.revoked_at.is_(None)).group_by(Kiosk.unit_code)
        ).all()
    )
    screens = db.session.scalars(
        select(Kiosk).where(Kiosk.unit_code == code, Kiosk.revoked_at.is_(None)).order_by(Kiosk.name)
    ).all()
    return render_template("admin/unit.html", unit=unit, kiosk_counts=kiosk_counts, screens=screens)
