"""Database models, one module per aggregate. Importing this package registers every table."""

from kiosk_server.models.alerts import Alert, AlertAck, AlertUnit
from kiosk_server.models.audit import AuditEntry
from kiosk_server.models.categories import Category
from kiosk_server.models.feedback import Feedback
from kiosk_server.models.jobs import DueJob
from kiosk_server.models.kiosks import Kiosk, KioskGroup
from kiosk_server.models.links import PublicLink, QrCode, QrScanDay
from kiosk_server.models.media import Media
from kiosk_server.models.notices import Notice, NoticeRevision, NoticeTarget, notice_media
from kiosk_server.models.pairing import PairingRequest
from kiosk_server.models.playlists import Playlist, PlaylistRevision, PlaylistTarget, playlist_members
from kiosk_server.models.plays import PlayDay, PlayLogLink, PlayRecord, PlayRollup
from kiosk_server.models.publishing import PublishEvent
from kiosk_server.models.sources import Source, SourceItem
from kiosk_server.models.units import Unit
from kiosk_server.models.uptime import KioskSession
from kiosk_server.models.users import ApiToken, User

__all__ = [
    "Alert",
    "AlertAck",
    "AlertUnit",
    "ApiToken",
    "AuditEntry",
    "Category",
    "DueJob",
    "Feedback",
    "Kiosk",
    "KioskGroup",
    "KioskSession",
    "Media",
    "Notice",
    "NoticeRevision",
    "NoticeTarget",
    "PairingRequest",
    "PlayDay",
    "PlayLogLink",
    "PlayRecord",
    "PlayRollup",
    "Playlist",
    "PlaylistRevision",
    "PlaylistTarget",
    "PublicLink",
    "PublishEvent",
    "QrCode",
    "QrScanDay",
    "Source",
    "SourceItem",
    "Unit",
    "User",
    "notice_media",
    "playlist_members",
]
