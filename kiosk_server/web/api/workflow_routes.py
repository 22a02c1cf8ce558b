"""The API routes every approvable kind has: GET and PATCH …/<id>, and POST …/<id>/submit, approve, reject, withdraw.

Each calls the one workflow (services/workflow.py) on the record the caller may see, and answers the
record as its kind shows it, with the version as `ETag`. A kind's module keeps its list and its
create route, where the kinds really differ (filters, bodies).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select, select

from kiosk_server.extensions import db
from kiosk_server.services import lookup, scope, workflow
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import RejectSchema
from kiosk_server.web.api.versions import if_match_version

# Who may press each, and what its documentation says (the kind's noun fills {noun}).
STEPS = {
    "submit": ("edit_content", "Send a draft {noun} for approval."),
    "approve": ("approve", "Approve the {noun} and publish it to the targeted screens (not by its author or last "
                           "editor; the approver needs scope over every target)."),
    "reject": ("approve", "Return the submitted {noun} to draft with a reason its author will read."),
    "withdraw": ("edit_content", "Take the {noun} off every screen at once (an approver, or its author)."),
}


IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "the version being edited; 412 if stale, 428 if missing"}


PAGE = 100  # records a list answers at once


def visible(kind: workflow.Approvable, actor, args) -> Select:
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


def newest_first(kind: workflow.Approvable, query: Select, args) -> list:
    """The page `args["page"]` of `query`, the latest edited first."""
    query = query.order_by(kind.model.updated_at.desc()).offset((args["page"] - 1) * PAGE).limit(PAGE)
    return list(db.session.scalars(query))


def created(record, location: str):
    """The answer to creating a draft: 201 with its id, version and status, its ETag and Location."""
    return {"id": record.id, "version": record.version, "status": record.status}, 201, {
        "ETag": f'"{record.version}"', "Location": location}


def add_record_route(blp: Blueprint, kind: workflow.Approvable, schema, patch_schema, answer: Callable,
                     get_doc: str) -> None:
    """Register GET (the latest version; `ETag` is the version) and PATCH (If-Match) on …/<id> of `kind`."""
    key = f"{kind.name}_id"

    @require("read")
    @blp.response(200, schema)
    def get(self, **ids):
        return answer(lookup.get_visible(kind.model, ids[key], current_api_user()))

    @require("edit_content")
    @blp.arguments(patch_schema(partial=True))
    @blp.response(200, schema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data, **ids):
        """Edit: a new version, back to draft; a published version keeps playing until re-approved."""
        actor = current_api_user()
        record = lookup.get_visible(kind.model, ids[key], actor)
        expected = if_match_version(request.headers.get("If-Match"))
        return answer(workflow.update(kind, record, data, expected, actor))

    get.__doc__ = get_doc
    view = type(f"{kind.model.__name__}ById", (MethodView,), {"get": get, "patch": patch})
    blp.route(f"/<int:{key}>")(view)


def add_workflow_routes(blp: Blueprint, kind: workflow.Approvable, schema, answer: Callable, noun: str,
                        notes: dict[str, str] | None = None) -> None:
    """Register the four workflow routes of `kind` on `blp`; `answer(record)` is the route's response."""
    for action, (permission, doc) in STEPS.items():
        text = doc.format(noun=noun) + (f" {notes[action]}" if notes and action in notes else "")
        view = _step_view(blp, kind, action, permission, schema, answer, text)
        blp.route(f"/<int:{kind.name}_id>/{action}")(view)


def _step_view(blp: Blueprint, kind: workflow.Approvable, action: str, permission: str, schema, answer: Callable,
               doc: str) -> type[MethodView]:
    key = f"{kind.name}_id"

    def run(data, record_id):
        actor = current_api_user()
        record = lookup.get_visible(kind.model, record_id, actor)
        if action == "reject":
            return answer(workflow.reject(kind, record, data["reason"], actor))
        return answer(getattr(workflow, action)(kind, record, actor))

    if action == "reject":
        def post(self, data, **ids):
            return run(data, ids[key])
    else:
        def post(self, **ids):
            return run(None, ids[key])
    post.__doc__ = doc
    post = blp.response(200, schema)(post)
    if action == "reject":
        post = blp.arguments(RejectSchema)(post)
    post = require(permission)(post)
    # The class name is the endpoint's name (api_notices.Approve), as when each kind wrote its own.
    return type(action.capitalize(), (MethodView,), {"post": post})
