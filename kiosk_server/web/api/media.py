"""/api/v1/media: the media library (images, videos, PDF documents) of the units in scope."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.models import Media
from kiosk_server.models.media import KINDS
from kiosk_server.services.content import media as media_service
from kiosk_server.services.read_models import lookup
from kiosk_server.web import accepts_upload, paging
from kiosk_server.web.api.auth import current_api_user, require

blp = Blueprint("api_media", __name__, url_prefix="/api/v1/media", description="Media library")


class MediaPageSchema(Schema):
    sha256 = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    url = fields.String()


class MediaSchema(Schema):
    id = fields.Integer()
    sha256 = fields.String(metadata={"description": "sha256 of the stored file (images: the re-encoded one)"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    mime = fields.String(metadata={"example": "video/mp4"})
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    duration_s = fields.Float(allow_none=True, metadata={"description": "videos only"})
    url = fields.String(metadata={"description": "serves the file with ETag, long caching and Range (206)"})
    poster_url = fields.String(allow_none=True, metadata={"description": "video poster frame, image/PDF thumbnail"})
    pages = fields.List(fields.Nested(MediaPageSchema), allow_none=True,
                        metadata={"description": "PDF only: one screen-sized image per page"})
    original_name = fields.String()
    size_bytes = fields.Integer()
    unit_code = fields.String()
    created_at = fields.String()


class MediaUploadSchema(Schema):
    file = Upload(required=True, metadata={
        "description": "JPEG, PNG, WebP or GIF image; MP4 (H.264/AAC) or WebM (VP8/VP9/AV1, Opus/Vorbis) "
        "video; PDF document. The type is read from the content, never from the name."
    })
    unit_code = fields.String(metadata={"description": "owning unit; default the officer's (national officers: required)"})


class MediaQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit = fields.String(metadata={"description": "only the media of this unit"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=paging.MAX_PER_PAGE))


@blp.route("")
class MediaCollection(MethodView):
    @classmethod
    def as_view(cls, name, *class_args, **class_kwargs):
        # POST takes a large multipart upload: lift the small-body limit and the JSON-only rule.
        view = accepts_upload(super().as_view(name, *class_args, **class_kwargs))
        view.accepted_types = ("multipart/form-data",)
        return view

    @require("read")
    @blp.arguments(MediaQuerySchema, location="query", unknown=None)  # None: the schema's RAISE applies
    @blp.response(200, MediaSchema(many=True))
    def get(self, args):
        """Media within the caller's scope, newest first."""
        query = media_service.media_query(current_api_user(), args.get("unit"), args.get("kind"))
        return [media_service.media_json(m) for m in paging.api_page(query, args)]

    @require("edit_content")
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": MediaUploadSchema}}})
    @blp.response(201, MediaSchema)
    @blp.alt_response(413, description="larger than KIOSK_MAX_UPLOAD_MB; nothing is stored")
    @blp.alt_response(422, description="not an accepted image, video or PDF, or unreadable; the message says why")
    def post(self):
        """Upload an image, video or PDF (multipart field `file`); the same file again returns the same media."""
        media = media_service.ingest_upload(
            request.files.get("file"), request.form.get("unit_code") or None, current_api_user()
        )
        return media_service.media_json(media)


@blp.route("/<int:media_id>")
class MediaById(MethodView):
    @require("read")
    @blp.response(200, MediaSchema)
    def get(self, media_id):
        """One media file."""
        return media_service.media_json(lookup.get_visible(Media, media_id, current_api_user()))

    @require("edit_content")
    @blp.response(204)
    @blp.alt_response(409, description="still used by a notice")
    def delete(self, media_id):
        """Delete a media file no notice uses; its bytes go when no other unit's media shares them."""
        media_service.delete_media(lookup.get_visible(Media, media_id, current_api_user()), current_api_user())

