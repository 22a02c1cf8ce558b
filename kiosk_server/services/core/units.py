"""Importing the official administrative units (post-2025: provinces, then communes)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from vietnam_provinces import Province, Ward

from kiosk_server.domain import units as unit_rules
from kiosk_server.extensions import db
from kiosk_server.models import Unit
from kiosk_server.services.core import audit
from kiosk_server.services.core.errors import NotFound


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


def _folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def codes_for_names(names: list[str], within: str | None = None) -> tuple[list[str], dict[str, str], list[str]]:
    """Return the unit codes whose official names are `names`, how each name matched, and the names left over.

    A CAP `<areaDesc>` may name units ("Phường Minh Xuân") instead of giving their codes; it may list
    several, separated by commas or semicolons. A name shared by units of different provinces is
    narrowed to the units under `within` (the sender's scope) and left over if still ambiguous.
    """
    wanted = []
    for name in names:
        wanted += [part.strip() for part in name.replace(";", ",").split(",") if part.strip()]
    if not wanted:
        return [], {}, []
    folded = {_folded(n): n for n in wanted}
    candidates: dict[str, list[Unit]] = {}
    for unit in db.session.scalars(select(Unit)):
        key = _folded(unit.name)
        if key in folded:
            candidates.setdefault(key, []).append(unit)
    if within is not None:
        from kiosk_server.services.core import scope

        below = scope.descendant_codes(within)
        candidates = {k: [u for u in v if u.code in below] or v for k, v in candidates.items()}
    codes, matched, left = [], {}, []
    for key, name in folded.items():
        units = candidates.get(key, [])
        if len(units) == 1:
            codes.append(units[0].code)
            matched[name] = units[0].code
        else:
            left.append(name)
    return codes, matched, left
