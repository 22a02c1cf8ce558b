"""Importing the official administrative units (post-2025: provinces, then communes)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from vietnam_provinces import Province, Ward

from kiosk_server.domain import units as unit_rules
from kiosk_server.extensions import db
from kiosk_server.models import Unit
from kiosk_server.services import audit
from kiosk_server.services.errors import NotFound


@dataclass
class ImportResult:
    added: int
    updated: int
    total: int


def _official_units(province: str | None) -> list[dict]:
    """Return the units of the `vietnam-provinces` package, provinces first, as plain dicts."""
    rows: list[dict] = []
    for p in Province.iter_all():
        pcode = unit_rules.province_code(int(p.code))
        if province and pcode != province:
            continue
        kind = p.division_type.value
        rows.append(
            {
                "code": pcode,
                "name": unit_rules.province_display_name(p.name, kind),
                "level": unit_rules.PROVINCE,
                "kind": kind,
                "parent_code": None,
            }
        )
        for w in Ward.iter_by_province(p.code):
            rows.append(
                {
                    "code": unit_rules.commune_code(int(w.code)),
                    "name": w.name,
                    "level": unit_rules.COMMUNE,
                    "kind": w.division_type.value,
                    "parent_code": pcode,
                }
            )
    return rows


def import_units(province: str | None = None, actor=None) -> ImportResult:
    """Add or update the official units (all, or one province with its communes); idempotent."""
    rows = _official_units(province)
    if province and not rows:
        raise NotFound(_l("Không có tỉnh, thành phố mã “%(code)s”.", code=province), code="unknown_unit")
    existing = {u.code: u for u in db.session.scalars(select(Unit)).all()}
    added = updated = 0
    for row in rows:
        unit = existing.get(row["code"])
        if unit is None:
            db.session.add(Unit(**row))
            added += 1
        elif (unit.name, unit.level, unit.kind, unit.parent_code) != (
            row["name"], row["level"], row["kind"], row["parent_code"]
        ):
            for key, value in row.items():
                setattr(unit, key, value)
            updated += 1
    if added or updated:
        # Provinces must exist before their communes point at them (PostgreSQL checks at once).
        db.session.flush()
        audit.record(
            actor, "units.import", "unit", province or "*", after={"added": added, "updated": updated}
        )
    db.session.commit()
    return ImportResult(added=added, updated=updated, total=len(rows))
