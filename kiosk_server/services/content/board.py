"""A commune's board on the web: the notices its screens carry, for phones and feed readers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from kiosk_server.domain import schedule
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskGroup, Notice, NoticeRevision, NoticeTarget, Unit
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import scope

MAX_ENTRIES = 100


def notices_for_unit(unit: Unit, now: datetime | None = None) -> list[dict]:
    """Return the published notices reaching `unit`'s screens that have not ended, newest first.

    Each has `notice`, `content` (the published revision) and `showing` (its schedule allows it now).
    """
    now = now or utcnow()
    chain = scope.ancestor_codes(unit.code)
    kiosk_ids = [str(k) for k in db.session.scalars(select(Kiosk.id).where(Kiosk.unit_code == unit.code))]
    group_ids = [str(g) for g in db.session.scalars(select(KioskGroup.id).where(KioskGroup.unit_code == unit.code))]
    matches = [and_(NoticeTarget.kind == "unit", NoticeTarget.ref.in_(chain))]
    if kiosk_ids:
        matches.append(and_(NoticeTarget.kind == "kiosk", NoticeTarget.ref.in_(kiosk_ids)))
    if group_ids:
        matches.append(and_(NoticeTarget.kind == "group", NoticeTarget.ref.in_(group_ids)))
    ids = select(NoticeTarget.notice_id).where(or_(*matches))
    rows = db.session.execute(
        select(Notice, NoticeRevision)
        .join(NoticeRevision, and_(NoticeRevision.notice_id == Notice.id,
                                   NoticeRevision.version == Notice.published_version))
        .where(Notice.id.in_(ids), or_(Notice.ends_at.is_(None), Notice.ends_at > now))
        .order_by(Notice.approved_at.desc())
        .limit(MAX_ENTRIES)
    ).all()
    out = []
    for notice, revision in rows:
        rules = schedule.rules_from_json(revision.content["rules"])
        if rules.ends_at and rules.ends_at <= now:
            continue
        out.append({"notice": notice, "content": revision.content, "rules": rules,
                    "showing": schedule.is_active(rules, now),
                    "upcoming": bool(rules.starts_at and rules.starts_at > now)})
    return out
