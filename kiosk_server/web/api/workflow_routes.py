"""The API of every approvable kind, written once: its list and create, GET and PATCH …/<id>, and POST
…/<id>/submit, approve, reject, withdraw.

Each route calls the one workflow (services/content/workflow.py) on the records the caller may see and answers
a record as its kind shows it, with the version as `ETag`. A kind passes what really differs: its
schemas, how it shows a record, its list's own filters and its words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select, select

from kiosk_server.extensions import db
from kiosk_server.services.content import workflow
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import CreatedSchema, RejectSchema
from kiosk_server.web.api.versions import if_match_version

PAGE = 100  # records a list answers at once
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "the version being edited; 412 if stale, 428 if missing"}
# Who may press each step, and what its documentation says (the kind's noun fills {noun}).
STEPS = {
    "submit": ("edit_content", "Send a draft {noun} for approval."),
    "approve": ("approve", "Approve the {noun} and publish it to the targeted screens (not by its author or last "
                           "editor; the approver needs scope over every target)."),
    "reject": ("approve", "Return the submitted {noun} to draft with a reason its author will read."),
    "withdraw": ("edit_content", "Take the {noun} off every screen at once (an approver, or its author)."),
}


@dataclass(frozen=True)
class KindApi:
    """What the API of one approvable kind says and shows."""

    kind: workflow.Approvable
    noun: str  # "notice": fills the documentation
    schema: type  # a record as shown
    body_schema: type  # a create body
    patch_schema: type  # a PATCH body (any subset of the body's fields)
    query_schema: type  # the list's query string
    to_json: Callable  # record → what the API shows
    docs: dict[str, str]  # "list", "get": the documentation of those routes
    filters: Callable[[Select, dict], Select] = lambda query, args: query  # the list's own filters
    notes: dict[str, str] = field(default_factory=dict)  # added to a step's documentation


def add_routes(blp: Blueprint, api: KindApi) -> None:
    """Register every route of `api.kind` on `blp`."""
    blp.route("")(_collection_view(blp, api))
    blp.route(f"/<int:{api.kind.name}_id>")(_record_view(blp, api))
    for action, (permission, doc) in STEPS.items():
        text = doc.format(noun=api.noun) + (f" {api.notes[action]}" if action in api.notes else "")
        blp.route(f"/<int:{api.kind.name}_id>/{action}")(_step_view(blp, api, action, permission, text))


def _answer(api: KindApi, record, status: int = 200):
    return api.to_json(record), status, {"ETag": f'"{record.version}"'}


def listed(kind: workflow.Approvable, actor, args) -> Select:
    """The records of `kind` the caller may see, filtered by `status` and `unit` (and the units below it).

    As the media and feedback lists: an unknown unit is 404, one outside the caller's scope 403.
    """
    model = kind.model
    query = select(model).where(scope.scope_filter(actor, model.unit_code))
    if args.get("status"):
        query = query.where(model.status == args["status"])
    if args.get("unit"):
        scope.get_unit(args["unit"], field="unit")
        scope.require_scope(actor, args["unit"], field="unit")
        query = query.where(model.unit_code.in_(scope.descendant_codes(args["unit"])))
    return query


def _collection_view(blp: Blueprint, api: KindApi) -> type[MethodView]:
    kind = api.kind

    @require("read")
    @blp.arguments(api.query_schema, location="query", unknown=None)
    @blp.response(200, api.schema(many=True))
    def get(self, args):
        query = api.filters(listed(kind, current_api_user(), args), args)
        query = query.order_by(kind.model.updated_at.desc()).offset((args["page"] - 1) * PAGE).limit(PAGE)
        return [api.to_json(record) for record in db.session.scalars(query)]

    @require("edit_content")
    @blp.arguments(api.body_schema)
    @blp.response(201, CreatedSchema)
    def post(self, data):
        record = workflow.create(kind, data, current_api_user())
        return {"id": record.id, "version": record.version, "status": record.status}, 201, {
            "ETag": f'"{record.version}"', "Location": f"{blp.url_prefix}/{record.id}"}

    get.__doc__ = api.docs["list"]
    post.__doc__ = f"Create a draft {api.noun}."
    # The class name is the endpoint's name (api_notices.Notices), as when each kind wrote its own.
    return type(f"{kind.model.__name__}s", (MethodView,), {"get": get, "post": post})


def _record_view(blp: Blueprint, api: KindApi) -> type[MethodView]:
    kind, key = api.kind, f"{api.kind.name}_id"

    @require("read")
    @blp.response(200, api.schema)
    def get(self, **ids):
        return _answer(api, lookup.get_visible(kind.model, ids[key], current_api_user()))

    @require("edit_content")
    @blp.arguments(api.patch_schema(partial=True))
    @blp.response(200, api.schema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data, **ids):
        """Edit: a new version, back to draft; a published version keeps playing until re-approved."""
        actor = current_api_user()
        record = lookup.get_visible(kind.model, ids[key], actor)
        expected = if_match_version(request.headers.get("If-Match"))
        return _answer(api, workflow.update(kind, record, data, expected, actor))

    get.__doc__ = api.docs["get"]
    return type(f"{kind.model.__name__}ById", (MethodView,), {"get": get, "patch": patch})


def _step_view(blp: Blueprint, api: KindApi, action: str, permission: str, doc: str) -> type[MethodView]:
    kind, key = api.kind, f"{api.kind.name}_id"

    def run(data, record_id):
        actor = current_api_user()
        record = lookup.get_visible(kind.model, record_id, actor)
        if action == "reject":
            return _answer(api, workflow.reject(kind, record, data["reason"], actor))
        return _answer(api, getattr(workflow, action)(kind, record, actor))

    if action == "reject":
        def post(self, data, **ids):
            return run(data, ids[key])
    else:
        def post(self, **ids):
            return run(None, ids[key])
    post.__doc__ = doc
    post = blp.response(200, api.schema)(post)
    if action == "reject":
        post = blp.arguments(RejectSchema)(post)
    post = require(permission)(post)
    return type(action.capitalize(), (MethodView,), {"post": post})
