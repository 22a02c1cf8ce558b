"""Hazards and disaster risk levels (Quyết định 18/2021/QĐ-TTg), as officers and screens name them.

LEVELS is the one home of the level colours: the officer and public pages get them as CSS from
`level_stylesheet()` (served at /levels.css), and the player's fallback copy is checked against
`tests/vectors/levels.json`. After changing LEVELS, regenerate that file:

    .venv/bin/python -m kiosk_server.domain.hazards > tests/vectors/levels.json
"""

from __future__ import annotations

import json

# Code -> Vietnamese name. The contract's codes; deployments may add more (config EXTRA_HAZARDS).
HAZARDS: dict[str, str] = {
    "storm": "Áp thấp nhiệt đới, bão",
    "heavy_rain": "Mưa lớn",
    "flood": "Lũ, ngập lụt",
    "flash_flood": "Lũ quét",
    "landslide": "Sạt lở đất",
    "heat": "Nắng nóng",
    "drought": "Hạn hán",
    "salt_intrusion": "Xâm nhập mặn",
    "strong_wind": "Gió mạnh trên biển",
    "whirlwind": "Lốc",
    "lightning": "Sét",
    "hail": "Mưa đá",
    "cold": "Rét hại, sương muối",
    "earthquake": "Động đất",
    "tsunami": "Sóng thần",
    "forest_fire": "Cháy rừng",
    "fire": "Cháy, nổ",
    "epidemic": "Dịch bệnh",
    "security": "An ninh, trật tự",
    "other": "Tình huống khẩn cấp khác",
}

# Level -> (name, background colour, text colour). Colours are the decision's; the text colour keeps
# WCAG contrast; the level is always written too, so colour never carries it alone.
LEVELS: dict[int, tuple[str, str, str]] = {
    1: ("Cấp độ 1 – Rủi ro thiên tai nhỏ", "#8fd3f4", "#0b2540"),
    2: ("Cấp độ 2 – Rủi ro thiên tai trung bình", "#fff176", "#2b2300"),
    3: ("Cấp độ 3 – Rủi ro thiên tai lớn", "#f57c00", "#1a0d00"),
    4: ("Cấp độ 4 – Rủi ro thiên tai rất lớn", "#c62828", "#ffffff"),
    5: ("Cấp độ 5 – Thảm họa thiên tai", "#6a1b9a", "#ffffff"),
}

# CAP <severity> when the message carries no risk level of its own.
SEVERITY_TO_LEVEL = {"Minor": 1, "Moderate": 2, "Severe": 4, "Extreme": 5, "Unknown": 3}
LEVEL_TO_SEVERITY = {1: "Minor", 2: "Moderate", 3: "Severe", 4: "Severe", 5: "Extreme"}


def hazards(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return the hazard list: the defaults plus a deployment's own."""
    return {**HAZARDS, **(extra or {})}


def level_info(level: int) -> dict:
    """Return {level, name, color, text_color} for a risk level 1..5."""
    name, color, text = LEVELS[level]
    return {"level": level, "name": name, "color": color, "text_color": text}


def level_vectors() -> dict:
    """Return {"levels": [level_info, ...]} for 1..5: the content of tests/vectors/levels.json."""
    return {"levels": [level_info(level) for level in sorted(LEVELS)]}


def level_vectors_json() -> str:
    """Return the text of tests/vectors/levels.json, exactly as the regenerate command writes it."""
    return json.dumps(level_vectors(), ensure_ascii=False, indent=1) + "\n"


def level_stylesheet() -> str:
    """Return CSS giving each `.level-N` its colours as the custom properties --level-bg and --level-fg."""
    rules = [f".level-{level} {{ --level-bg: {color}; --level-fg: {text}; }}"
             for level, (_name, color, text) in sorted(LEVELS.items())]
    return "/* Risk-level colours, generated from kiosk_server/domain/hazards.py (LEVELS). */\n" + "\n".join(rules) + "\n"

# CAP <category> of each hazard (the schema's fixed list).
CAP_CATEGORY = {
    "storm": "Met", "heavy_rain": "Met", "flood": "Met", "flash_flood": "Met", "landslide": "Geo",
    "heat": "Met", "drought": "Env", "salt_intrusion": "Env", "strong_wind": "Met", "whirlwind": "Met",
    "lightning": "Met", "hail": "Met", "cold": "Met", "earthquake": "Geo", "tsunami": "Geo",
    "forest_fire": "Fire", "fire": "Fire", "epidemic": "Health", "security": "Security", "other": "Other",
}


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(level_vectors_json().encode("utf-8"))
