"""Administrative unit codes and names, as the official lists write them."""

from __future__ import annotations

import re

PROVINCE = "province"
COMMUNE = "commune"
LEVELS = (PROVINCE, COMMUNE)

_CODE = re.compile(r"^\d{2}$|^\d{5}$")


def province_code(number: int) -> str:
    """Return the official two-digit code of a province numbered `number` (1 -> "01")."""
    return f"{number:02d}"


def commune_code(number: int) -> str:
    """Return the official five-digit code of a commune numbered `number` (70 -> "00070")."""
    return f"{number:05d}"


def is_unit_code(value: str) -> bool:
    """Return True when `value` has the shape of an official unit code (2 or 5 digits)."""
    return bool(_CODE.match(value or ""))


def province_display_name(name: str, kind: str) -> str:
    """Return the full name of a province: the list writes "Cao Bằng" for "Tỉnh Cao Bằng"."""
    if kind == "tỉnh" and not name.lower().startswith("tỉnh"):
        return f"Tỉnh {name}"
    return name
