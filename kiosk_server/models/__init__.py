"""Database models, one module per aggregate. Importing this package registers every table."""

from kiosk_server.models.audit import AuditEntry
from kiosk_server.models.kiosks import Kiosk, KioskGroup
from kiosk_server.models.units import Unit
from kiosk_server.models.users import ApiToken, User

__all__ = ["ApiToken", "AuditEntry", "Kiosk", "KioskGroup", "Unit", "User"]
