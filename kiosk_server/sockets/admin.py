"""The /admin namespace: signed-in officers get live status of the screens in their scope."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from kiosk_server.database import DATABASE_AWAY
from kiosk_server.services.screens import presence


class AdminNamespace(Namespace):
    def on_connect(self, auth=None):
        # The officer's session cookie comes with the websocket handshake (same origin).
        try:
            signed_in = current_user.is_authenticated  # loads the officer from the database
        except DATABASE_AWAY:  # the page's script connects again later; no traceback per officer
            raise ConnectionRefusedError("database unavailable, try again later") from None
        if not signed_in:
            raise ConnectionRefusedError("sign in first")
        join_room(presence.admin_room(current_user.unit_code))
