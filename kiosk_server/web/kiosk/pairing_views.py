"""Pairing, from the screen's side: get a code, wait until an officer has typed it."""

from __future__ import annotations

from flask import jsonify, request, url_for

from kiosk_server.extensions import limiter
from kiosk_server.services.core import qr_images
from kiosk_server.services.screens import pairing
from kiosk_server.web.api.auth import Unauthorized, bearer_token


@limiter.limit("20 per minute")
def start_pairing():
    req, token = pairing.start(request.remote_addr or "")
    pair_url = url_for("admin.kiosk_pair", code=req.code, _external=True)
    return jsonify({"code": req.code, "token": token, "expires_at": req.expires_at.isoformat(),
                    "pair_url": pair_url, "qr_image": qr_images.image_path(pair_url)}), 201


def pairing_status():
    paired = pairing.status(bearer_token())
    if paired is None:
        raise Unauthorized("Mã ghép nối không hợp lệ hoặc đã hết hạn.")
    return jsonify({"paired": paired})
