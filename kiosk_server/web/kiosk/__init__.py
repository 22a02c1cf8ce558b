"""What kiosks talk to: the manifest (and, later, the player and pairing)."""

from kiosk_server.web.kiosk.routes import kiosk_bp

__all__ = ["kiosk_bp"]
