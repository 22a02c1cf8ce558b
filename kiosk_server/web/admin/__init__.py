"""The officer UI: server-rendered pages in Vietnamese (English switchable)."""

from kiosk_server.web.admin.routes import admin_bp

__all__ = ["admin_bp"]
