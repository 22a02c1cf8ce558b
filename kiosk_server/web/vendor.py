"""/vendor/…: the few npm files browsers need (fonts, socket.io-client), served from node_modules.

They are installed by `npm ci` in kiosk_client/ and never copied into the repository; only the
packages below are reachable, and paths are joined safely so nothing else on disk can be read.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

vendor_bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {
    "be-vietnam-pro": "@fontsource/be-vietnam-pro",
    "socket.io-client": "socket.io-client/dist",
}


def node_modules() -> Path:
    return Path(current_app.root_path).parent / "kiosk_client" / "node_modules"


@vendor_bp.get("/<package>/<path:filename>")
def vendored(package: str, filename: str):
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    # send_from_directory refuses paths that leave the folder; a year of caching is safe because
    # the package versions are pinned and a new version comes with a new deploy.
    return send_from_directory(node_modules() / folder, filename, max_age=365 * 24 * 3600)
