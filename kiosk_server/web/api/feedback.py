"""/api/v1/feedback: citizens' feedback of the units in scope, its answer, status and personal data.

Every call is limited to the caller's scope: an item of a unit outside it answers 404, as if it did
not exist. Personal data (name, phone, photo) comes only to officers who answer feedback (editor and
above); a viewer reads the item with `personal_data_hidden: true` and no name, phone or photo.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.domain import feedback as rules
from kiosk_server.models import Feedback, User
from kiosk_server.services.feedback import feedback as feedback_service
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.stacks import list_view, stacked

blp = Blueprint(
    "api_feedback", __name__, url_prefix="/api/v1/feedback",
    description="Citizens' feedback (phản ánh, kiến nghị): triage, answer, publish, erase personal data. "
    "Personal data (name, phone, photo) is included only for officers who answer feedback (editor and above) "
    "in whose scope the item's unit lies; viewers get `personal_data_hidden: true`.",
)


class FeedbackSchema(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"example": "PA-7K3Q-92MD", "description": "the citizen's tracking code"})
    unit_code = fields.String()
    unit_name = fields.String()
    category = fields.String(metadata={"description": "a notice category's code, or `other` (Khác)"})
    category_name = fields.String()
    text = fields.String(metadata={"description": "plain text as the citizen typed it (escape it when showing it)"})
    status = fields.String(validate=validate.OneOf(rules.STATUSES))
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})
    due_at = fields.String(metadata={"format": "date-time", "description": "created_at + FEEDBACK_DUE_DAYS days"})
    overdue = fields.Boolean(metadata={"description": "new or in progress, and past due_at"})
    answer = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    notice_id = fields.Integer(allow_none=True, metadata={"description": "the notice that carries it to the board"})
    tracking_url = fields.String(metadata={"description": "the citizen's public page: question, status and answer only"})
    name = fields.String(allow_none=True, metadata={"description": "personal data"})
    phone = fields.String(allow_none=True, metadata={"description": "personal data, as 0xxxxxxxxx"})
    has_photo = fields.Boolean()
    photo_url = fields.String(allow_none=True, metadata={"description": "personal data; needs the bearer token"})
    personal_data_hidden = fields.Boolean(metadata={"description": "true for viewers: name, phone, photo left out"})
    personal_data_erased_at = fields.String(allow_none=True)


class FeedbackQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit = fields.String(metadata={"description": "this unit and the units below it"})
    status = fields.String(validate=validate.OneOf(rules.STATUSES))
    overdue = fields.Boolean(metadata={"description": "only items past their due time"})
    order = fields.String(load_default="newest", validate=validate.OneOf(("newest", "oldest")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=paging.MAX_PER_PAGE))


class ReplySchema(Schema):
    class Meta:
        unknown = RAISE

    message = fields.String(required=True, metadata={
        "description": f"the answer, plain text, 1 to {rules.MAX_ANSWER} characters"})
    publish = fields.Boolean(load_default=False, metadata={
        "description": "also send the question (never who asked) and the answer to the board as a notice of the "
        "item's unit, submitted for approval by another officer"})


class StatusSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(rules.STATUSES), metadata={
        "description": "new → in_progress → answered → closed; answered or closed → in_progress reopens; "
        "`answered` needs an answer (see /reply)"})


def _json(item: Feedback) -> dict:
    actor = current_api_user()
    return feedback_service.feedback_json(item, base=request.url_root,
                                          personal=feedback_service.may_see_personal_data(actor, item))


def _changed(feedback_id: int, change: Callable[[Feedback, User], Feedback]) -> dict:
    """Return the JSON of the visible item `feedback_id` after `change(item, caller)`."""
    actor = current_api_user()
    return _json(change(lookup.get_visible(Feedback, feedback_id, actor), actor))


def _item_change(body: type[Schema], conflict: str) -> Callable:
    """Return the decorator of a POST that changes one item: an editor, its `body`, the item back, 409 on `conflict`."""
    return stacked(require("edit_content"), blp.arguments(body), blp.response(200, FeedbackSchema),
                   blp.alt_response(409, description=conflict))


@blp.route("")
class FeedbackCollection(MethodView):
    @list_view(blp, "read", FeedbackSchema, FeedbackQuerySchema)
    def get(self, args):
        """Feedback of the units in the caller's scope, newest first; filter by unit, status or overdue."""
        query = feedback_service.feedback_query(
            current_api_user(), status=args.get("status"), unit=args.get("unit"), overdue=args.get("overdue", False),
            oldest_first=args["order"] == "oldest",
        )
        return [_json(item) for item in paging.api_page(query, args)]


@blp.route("/<int:feedback_id>")
class FeedbackById(MethodView):
    @require("read")
    @blp.response(200, FeedbackSchema)
    def get(self, feedback_id):
        """One item with its answer and personal data."""
        return _json(lookup.get_visible(Feedback, feedback_id, current_api_user()))


@blp.route("/<int:feedback_id>/reply")
class Reply(MethodView):
    @_item_change(ReplySchema, "the item is closed (reopen it first), or already on the board")
    def post(self, data, feedback_id):
        """Answer the item (status answered); with `publish`, the new notice's id comes back as `notice_id`."""
        return _changed(feedback_id, lambda item, actor: feedback_service.reply(
            item, data["message"], data["publish"], actor))


@blp.route("/<int:feedback_id>/status")
class Status(MethodView):
    @_item_change(StatusSchema, "not an allowed change from the current status")
    def post(self, data, feedback_id):
        """Triage, close or reopen the item."""
        return _changed(feedback_id, lambda item, actor: feedback_service.change_status(item, data["status"], actor))


@blp.route("/<int:feedback_id>/erase-personal-data")
class ErasePersonalData(MethodView):
    @require("edit_content")
    @blp.response(200, FeedbackSchema)
    def post(self, feedback_id):
        """Erase the name, phone and photo sent with the item (on the citizen's request); question and answer stay."""
        return _changed(feedback_id, feedback_service.erase_personal_data)


@blp.route("/<int:feedback_id>/photo")
class Photo(MethodView):
    @require("read")
    @blp.doc(responses={"200": {"description": "the photo (re-encoded, no EXIF)", "content": {"image/*": {}}}})
    def get(self, feedback_id):
        """The photo sent with the item (personal data: never cached by shared caches)."""
        item = lookup.get_visible(Feedback, feedback_id, current_api_user())
        feedback_service.require_personal_data_access(current_api_user(), item)
        response = send_file(feedback_service.photo_file(item), mimetype=item.photo_mime, max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response
