"""GET /api/v1/units: the administrative units."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Unit
from kiosk_server.services.core import scope
from kiosk_server.web.api.auth import require
from kiosk_server.web.api.schemas import UnitQuerySchema, UnitSchema

blp = Blueprint("api_units", __name__, url_prefix="/api/v1/units", description="Administrative units")


@blp.route("")
class Units(MethodView):
    @require("read")
    @blp.arguments(UnitQuerySchema, location="query", unknown=None)  # None: the schema's RAISE applies
    @blp.response(200, UnitSchema(many=True))
    def get(self, args):
        """List units, optionally those directly below `parent`."""
        query = select(Unit).order_by(Unit.code)
        if "parent" in args:
            scope.get_unit(args["parent"], field="parent")
            query = query.where(Unit.parent_code == args["parent"])
        if "level" in args:
            query = query.where(Unit.level == args["level"])
        if args.get("q"):
            query = query.where(Unit.name.ilike(f"%{args['q']}%"))
        return [u.to_dict() for u in db.session.scalars(query)]


@blp.route("/<code>")
class UnitByCode(MethodView):
    @require("read")
    @blp.response(200, UnitSchema)
    def get(self, code):
        """One unit by its official code."""
        return scope.get_unit(code, field="code").to_dict()
