"""Screen themes: folders in themes/ with theme.json, screen.html (Jinja2) and screen.css.

Chosen per kiosk at run time. Names and file paths are checked and joined safely (like CTFd's
theme loader), so a theme name can never reach outside the themes folder.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug.security import safe_join

DEFAULT = "default"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def themes_dir() -> Path:
    return Path(current_app.root_path).parent / "themes"


def available() -> list[str]:
    """Return the names of the installed themes, sorted, default first."""
    names = sorted(p.name for p in themes_dir().iterdir() if (p / "theme.json").is_file() and _NAME.match(p.name))
    return sorted(names, key=lambda n: n != DEFAULT)


def exists(name: str) -> bool:
    return bool(name) and bool(_NAME.match(name)) and (themes_dir() / name / "theme.json").is_file()


def load(name: str) -> dict:
    """Return the parsed theme.json of `name` (the default theme when `name` is unknown)."""
    if not exists(name):
        name = DEFAULT
    return _read(str(themes_dir() / name / "theme.json"))


@lru_cache(maxsize=32)
def _read(path: str) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data.setdefault("name", Path(path).parent.name)
    return data


def file_path(name: str, filename: str) -> str | None:
    """Return the path of a theme's file, or None when the theme or the file does not exist."""
    if not exists(name):
        return None
    path = safe_join(str(themes_dir() / name), filename)
    return path if path and Path(path).is_file() else None
