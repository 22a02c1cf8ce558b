"""Administrative unit codes and names, as the official lists write them."""

from __future__ import annotations

PROVINCE = "province"
COMMUNE = "commune"
LEVELS = (PROVINCE, COMMUNE)


def province_code(number: int) -> str:
    """Return the official two-digit code of a province numbered `number` (1 -> "01")."""
    return f"{number:02d}"


def commune_code(number: int) -> str:
    """Return the official five-digit code of a commune numbered `number` (70 -> "00070")."""
    return f"{number:05d}"


def province_display_name(name: str, kind: str) -> str:
    """Return the full name of a province: the list writes "Cao Bằng" for "Tỉnh Cao Bằng"."""
    if kind == "tỉnh" and not name.lower().startswith("tỉnh"):
        return f"Tỉnh {name}"
    return name


_LEVEL_WORDS = ("Thành phố ", "Tỉnh ", "Đặc khu ", "Phường ", "Xã ")


def place_name(unit_name: str) -> str:
    """Return the place an official paper of the unit is dated at: "Minh Xuân" for "Phường Minh Xuân".

    Nghị định 30/2020/NĐ-CP writes the place without the level word, except a unit named by a number
    ("Phường 1" stays "Phường 1", as "1, ngày …" would not read).
    """
    for word in _LEVEL_WORDS:
        if unit_name.startswith(word) and not unit_name[len(word):].strip().isdigit():
            return unit_name[len(word):].strip()
    return unit_name
