"""Pages anyone may open: health, metrics, and (later) the citizens' pages."""

from kiosk_server.web.public.routes import public_bp

__all__ = ["public_bp"]
