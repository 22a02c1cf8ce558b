"""marshmallow schemas of the API: they validate input and document the OpenAPI."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.domain import roles, units
from kiosk_server.domain.schedule import VN
from kiosk_server.web import paging


class PageQuerySchema(Schema):
    """`page` and `per_page` of every list, bounded (kiosk_server.web.paging)."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=paging.MAX_PER_PAGE))


def day_field(description: str) -> fields.Date:
    """Return a query-string day between paging.EARLIEST_DAY and paging.LATEST_DAY."""
    return fields.Date(validate=validate.Range(min=paging.EARLIEST_DAY, max=paging.LATEST_DAY),
                       metadata={"description": description})


class AlertQuerySchema(PageQuerySchema):
    active = fields.Boolean(load_default=False, metadata={"description": "only the alerts on screens now"})


class UnitSchema(Schema):
    code = fields.String(metadata={"example": "01"})
    name = fields.String(metadata={"example": "Thành phố Hà Nội"})
    level = fields.String(validate=validate.OneOf(units.LEVELS))
    parent_code = fields.String(allow_none=True)


class UnitQuerySchema(Schema):
    class Meta:
        unknown = RAISE  # webargs ignores unknown query parameters by default; a typo should say so

    parent = fields.String(metadata={"description": "only the units directly below this one"})
    level = fields.String(validate=validate.OneOf(units.LEVELS))
    q = fields.String(metadata={"description": "part of the name"})


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(roles.ROLES))
    unit_code = fields.String(allow_none=True)
    active = fields.Boolean()


class UserCreateSchema(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    role = fields.String(required=True)
    unit_code = fields.String(allow_none=True)
    name = fields.String(load_default="")


class UserPatchSchema(Schema):
    name = fields.String()
    role = fields.String()
    unit_code = fields.String(allow_none=True)
    active = fields.Boolean()
    password = fields.String(load_only=True)


class KioskCreateSchema(Schema):
    name = fields.String(required=True)
    unit_code = fields.String(required=True)
    groups = fields.List(fields.String(), load_default=list)


class KioskPairSchema(Schema):
    code = fields.String(required=True, metadata={"example": "K7Q-4MD"})
    name = fields.String(required=True)
    unit_code = fields.String(required=True)
    groups = fields.List(fields.String(), load_default=list)


class KioskPatchSchema(Schema):
    name = fields.String()
    theme = fields.String(metadata={"example": "high-contrast"})
    unit_code = fields.String()
    groups = fields.List(fields.String())


class KioskPairedSchema(Schema):
    id = fields.Integer()


class KioskCreatedSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "shown once; the kiosk keeps it"})


class KioskBulkCreateSchema(Schema):
    kiosks = fields.List(fields.Nested(KioskCreateSchema), required=True,
                         metadata={"description": "up to 5,000 screens; all are created or none"})


class KioskBulkCreatedItemSchema(KioskCreatedSchema):
    name = fields.String()
    unit_code = fields.String()


class KioskBulkCreatedSchema(Schema):
    kiosks = fields.List(fields.Nested(KioskBulkCreatedItemSchema))


class KioskSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit_code = fields.String()
    groups = fields.List(fields.String())
    online = fields.Boolean()
    last_seen = fields.String(allow_none=True)
    manifest_version = fields.Integer()
    current_item = fields.String(allow_none=True)
    revoked = fields.Boolean()
    theme = fields.String()
    reported_version = fields.Integer(allow_none=True)
    behind = fields.Boolean()
    uptime_s = fields.Integer(allow_none=True)


class TargetsSchema(Schema):
    units = fields.List(fields.String(), metadata={"description": "unit codes; each includes every unit below"})
    groups = fields.List(fields.Raw(), metadata={"description": "kiosk group ids (or names in the notice's unit)"})
    kiosks = fields.List(fields.Integer())


class TranslationSchema(Schema):
    language = fields.String(required=True, metadata={"example": "km"})
    title = fields.String(required=True)
    body = fields.String(load_default="")


class NoticeBodySchema(Schema):
    """The contract's notice body. Types are checked here; meaning (scope, dates, URLs) by the service."""

    title = fields.String(required=True, metadata={"example": "Lịch tiếp công dân tháng 12"})
    body = fields.String(metadata={"description": "restricted HTML: p, br, strong, em, ul, ol, li, a"})
    unit_code = fields.String(required=True, metadata={"example": "02215"})
    category = fields.String(metadata={"example": "local"})
    targets = fields.Nested(TargetsSchema)
    starts_at = fields.String(allow_none=True, metadata={"format": "date-time", "description": "no offset: Asia/Ho_Chi_Minh"})
    ends_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    days = fields.List(fields.Integer(), allow_none=True, metadata={"description": "ISO weekdays, 1 Monday … 7 Sunday"})
    hours = fields.List(fields.Raw(), allow_none=True, metadata={"example": [["07:00", "11:30"]]})
    duration_s = fields.Float(allow_none=True)
    priority = fields.String(metadata={"enum": ["normal", "priority", "emergency"]})
    media_ids = fields.List(fields.Integer(), allow_none=True)
    qr_url = fields.String(allow_none=True, metadata={"format": "uri"})
    language = fields.String(metadata={"example": "vi"})
    translations = fields.List(fields.Nested(TranslationSchema), allow_none=True)


class CreatedSchema(Schema):
    """What creating an approvable record (a notice, a playlist) answers."""

    id = fields.Integer()
    version = fields.Integer()
    status = fields.String(metadata={"enum": ["draft", "submitted", "published", "withdrawn", "expired"]})


class WorkflowFactsSchema(CreatedSchema):
    """The workflow facts every approvable record shows (services/workflow.facts_json)."""

    published_version = fields.Integer(allow_none=True)
    author = fields.String()
    approved_by = fields.String(allow_none=True)
    approved_at = fields.String(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class NoticeSchema(NoticeBodySchema, WorkflowFactsSchema):
    public_url = fields.String()
    source = fields.Nested("NoticeSourceSchema", allow_none=True,
                           metadata={"description": "the information source the notice came from, if any"})


class NoticeSourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    link = fields.String(allow_none=True, metadata={"description": "the original article"})


class NoticeQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String()
    unit = fields.String()
    category = fields.String()
    on = day_field("notices whose window includes this day")
    source = fields.Integer(validate=validate.Range(min=1, max=2**62),
                            metadata={"description": "only the notices taken from this information source"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))


class RejectSchema(Schema):
    reason = fields.String(required=True)


class NoticePatchSchema(NoticeBodySchema):
    """A PATCH body: any subset of the notice fields (used with partial=True)."""


class SourceBodySchema(Schema):
    """An information source; the service checks every field again and names what is wrong."""

    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["cap", "feed"]})
    url = fields.String(required=True, metadata={"description": "http(s) URL: a CAP document, an Atom/RSS index of "
                                                                "CAP documents, or an RSS 2.0/Atom feed"})
    unit_code = fields.String(required=True)
    targets = fields.Nested(TargetsSchema, metadata={"description": "where its notices play (default: its unit)"})
    poll_seconds = fields.Integer(metadata={"description": "60..86400, default 300"})
    bulletin_class = fields.String(metadata={"enum": ["normal", "priority", "emergency"],
                                             "description": "TT 39/2020 class of its items (default normal)"})
    auto_publish = fields.Boolean(metadata={"description": "publish on its own (approvers only); else items wait"})
    active = fields.Boolean()


class SourcePatchSchema(SourceBodySchema):
    """A PATCH body: any subset of the source fields (used with partial=True)."""


class SourceSchema(SourceBodySchema):
    id = fields.Integer()
    trusted_by = fields.String(allow_none=True)
    last_polled_at = fields.String(allow_none=True)
    last_success_at = fields.String(allow_none=True)
    next_poll_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "the last error, in Vietnamese"})
    items_taken = fields.Integer()
    created_at = fields.String()


class SourcePolledSchema(Schema):
    new = fields.Integer(metadata={"description": "items this poll brought"})
    source = fields.Nested(SourceSchema)


class FeedQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit = fields.String(required=True, validate=validate.Length(min=1, max=16))
    since = fields.AwareDateTime(default_timezone=VN, metadata={
        "description": "only notices published after this instant (ISO 8601; without an offset, Viet Nam time)"})


class PlaylistItemSchema(Schema):
    notice_id = fields.Integer(metadata={"description": "a published notice in your scope"})
    media_id = fields.Integer(metadata={"description": "a video, picture or PDF of the media library"})
    duration_s = fields.Float(allow_none=True, metadata={"description": "media items only; default: the media's own"})
    caption = fields.String(allow_none=True, metadata={"description": "media items only: the line shown with it"})


class PlaylistBodySchema(Schema):
    """The contract's playlist body. Types are checked here; meaning (scope, clashes) by the service."""

    name = fields.String(required=True, metadata={"example": "Chương trình phim tối thứ Bảy"})
    unit_code = fields.String(required=True, metadata={"example": "02215"})
    items = fields.List(fields.Nested(PlaylistItemSchema), metadata={"description": "in play order"})
    targets = fields.Nested(TargetsSchema)
    mode = fields.String(metadata={"enum": ["mixed", "exclusive"], "description":
                                   "mixed: its items replace the normal notices' default order; exclusive: only it "
                                   "plays during its hours (emergencies and alerts still interrupt)"})
    priority = fields.Integer(allow_none=True, metadata={"description": "0–100; among active playlists higher plays first"})
    starts_at = fields.String(allow_none=True, metadata={"format": "date-time", "description": "no offset: Asia/Ho_Chi_Minh"})
    ends_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    days = fields.List(fields.Integer(), allow_none=True, metadata={"description": "ISO weekdays, 1 Monday … 7 Sunday"})
    hours = fields.List(fields.Raw(), allow_none=True, metadata={"example": [["19:00", "21:00"]]})


class PlaylistPatchSchema(PlaylistBodySchema):
    """A PATCH body: any subset of the playlist fields (used with partial=True)."""


class PlaylistItemShownSchema(PlaylistItemSchema):
    kind = fields.String(metadata={"enum": ["notice", "image", "video", "pdf", "missing"]})
    title = fields.String()
    status = fields.String(metadata={"description": "notice items: the notice's status"})
    plays = fields.Boolean(metadata={"description": "false for a notice no longer published: it drops out"})
    seconds = fields.Float(allow_none=True)
    thumbnail_url = fields.String(allow_none=True)


class PlaylistSchema(PlaylistBodySchema, WorkflowFactsSchema):
    items = fields.List(fields.Nested(PlaylistItemShownSchema))
    loop_s = fields.Float(metadata={"description": "one loop of the items that play now, in seconds"})


class PlaylistQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String()
    unit = fields.String()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))
