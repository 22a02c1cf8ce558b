"""/api/v1/alerts: raise (JSON or CAP 1.2), read (JSON or CAP), cancel, and the hazard list."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from kiosk_server.domain import cap as cap_rules
from kiosk_server.models import Alert
from kiosk_server.services.alerts import alerts
from kiosk_server.services.core.errors import ValidationFailed
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import AlertQuerySchema

blp = Blueprint("api_alerts", __name__, url_prefix="/api/v1", description="Emergency alerts (JSON and CAP 1.2)")

CAP_TYPES = (cap_rules.CONTENT_TYPE, "application/xml", "text/xml")


class AlertSchema(Schema):
    id = fields.Integer()
    identifier = fields.String()
    status = fields.String()
    headline = fields.String()
    description = fields.String()
    instruction = fields.String()
    hazard = fields.String()
    hazard_name = fields.String()
    level = fields.Integer()
    level_name = fields.String()
    unit_codes = fields.List(fields.String())
    effective_at = fields.String(allow_none=True)
    expires_at = fields.String()
    active = fields.Boolean()
    cancelled_at = fields.String(allow_none=True)
    kiosk_count = fields.Integer()
    acks = fields.List(fields.Dict())


class AlertCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String()


ALERT_BODY_DOC = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "required": ["headline", "hazard", "level", "unit_codes",
                                                                        "expires_at"],
                                        "properties": {"headline": {"type": "string"}, "description": {"type": "string"},
                                                       "instruction": {"type": "string"},
                                                       "hazard": {"type": "string"},
                                                       "level": {"type": "integer", "minimum": 1, "maximum": 5},
                                                       "unit_codes": {"type": "array", "items": {"type": "string"}},
                                                       "effective_at": {"type": "string", "format": "date-time"},
                                                       "expires_at": {"type": "string", "format": "date-time"},
                                                       "sound": {"type": "boolean"},
                                                       "translations": {"type": "array", "items": {"type": "object"}}}}},
        cap_rules.CONTENT_TYPE: {"schema": {"type": "string", "description": "an OASIS CAP 1.2 <alert>"}},
    },
}


@blp.route("/alerts")
class Alerts(MethodView):
    @classmethod
    def as_view(cls, name, *class_args, **class_kwargs):
        # POST takes JSON or a CAP 1.2 document (the contract's two ways to raise an alert).
        view = super().as_view(name, *class_args, **class_kwargs)
        view.accepted_types = ("application/json", *CAP_TYPES)
        return view

    @require("read")
    @blp.arguments(AlertQuerySchema, location="query", unknown=None)  # None: the schema's RAISE applies
    @blp.response(200, AlertSchema(many=True))
    def get(self, args):
        """Alerts touching the caller's scope, newest first (`?active=1`: only those on screens now), a page at a
        time (`page`, `per_page`)."""
        query = alerts.visible_query(current_api_user(), active_only=args["active"])
        return [alerts.alert_json(a) for a in paging.api_page(query, args)]

    @require("raise_alert")
    @blp.doc(requestBody=ALERT_BODY_DOC)
    @blp.response(201, AlertCreatedSchema)
    def post(self):
        """Raise an alert (JSON), or take a CAP 1.2 Alert, Update or Cancel (`application/cap+xml`)."""
        if request.mimetype in CAP_TYPES:
            alert, what = alerts.from_cap(request.get_data(cache=False), current_api_user())
            return {"id": alert.id, "status": what}, 200 if what == "cancelled" else 201
        data = request.get_json(silent=True)
        if data is None:
            raise ValidationFailed("Nội dung JSON không đọc được; hãy kiểm tra cú pháp.", code="bad_json")
        alert = alerts.raise_alert(data, current_api_user())
        return {"id": alert.id, "status": "raised"}, 201, {"Location": f"/api/v1/alerts/{alert.id}"}



@blp.route("/alerts/<int:alert_id>")
class AlertById(MethodView):
    @require("read")
    @blp.response(200, AlertSchema)
    def get(self, alert_id):
        """The alert with its receipts; with `Accept: application/cap+xml`, as a CAP 1.2 document."""
        alert = lookup.get_visible(Alert, alert_id, current_api_user())
        if request.accept_mimetypes.best_match(["application/json", *CAP_TYPES]) in CAP_TYPES:
            return Response(alerts.to_cap(alert), mimetype=cap_rules.CONTENT_TYPE)
        return alerts.alert_json(alert)


@blp.route("/alerts/<int:alert_id>/cancel")
class AlertCancel(MethodView):
    @require("raise_alert")
    @blp.response(200, AlertSchema)
    def post(self, alert_id):
        """Take the alert off every screen of its area at once."""
        return alerts.alert_json(alerts.cancel(lookup.get_visible(Alert, alert_id, current_api_user()), current_api_user()))


@blp.route("/hazards")
class Hazards(MethodView):
    @require("read")
    def get(self):
        """Hazard codes with their Vietnamese names."""
        return [{"code": code, "name": name} for code, name in alerts.hazard_names().items()]
