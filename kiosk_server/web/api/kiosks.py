"""/api/v1/kiosks: provisioning screens and reading their state."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from kiosk_server.models import Kiosk
from kiosk_server.services.read_models import lookup
from kiosk_server.services.screens import kiosks, pairing, presence
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import (
    KioskBulkCreatedSchema,
    KioskBulkCreateSchema,
    KioskCreatedSchema,
    KioskCreateSchema,
    KioskPairedSchema,
    KioskPairSchema,
    KioskPatchSchema,
    KioskSchema,
)
from kiosk_server.web.api.stacks import list_view, scoped_page

blp = Blueprint("api_kiosks", __name__, url_prefix="/api/v1/kiosks", description="Screens")

kiosk_state = presence.status_json


@blp.route("")
class Kiosks(MethodView):
    @list_view(blp, "read", KioskSchema)
    def get(self, args):
        """Screens within the caller's scope, by id, a page at a time (`page`, `per_page`)."""
        return [kiosk_state(k) for k in scoped_page(Kiosk, Kiosk.id, args)]

    @require("manage_kiosks")
    @blp.arguments(KioskCreateSchema)
    @blp.response(201, KioskCreatedSchema)
    def post(self, data):
        """Provision a screen without pairing; the token is in this answer only."""
        kiosk, token = kiosks.provision_kiosk(actor=current_api_user(), **data)
        return {"id": kiosk.id, "token": token}


@blp.route("/bulk")
class KiosksBulk(MethodView):
    @require("manage_kiosks")
    @blp.arguments(KioskBulkCreateSchema)
    @blp.response(201, KioskBulkCreatedSchema)
    def post(self, data):
        """Provision many screens in one call (a fleet, one rate-limit unit); all or none; tokens shown once."""
        made = kiosks.provision_many(data["kiosks"], actor=current_api_user())
        return {"kiosks": [{"id": k.id, "name": k.name, "unit_code": k.unit_code, "token": t} for k, t in made]}


@blp.route("/pair")
class KioskPair(MethodView):
    @require("manage_kiosks")
    @blp.arguments(KioskPairSchema)
    @blp.response(201, KioskPairedSchema)
    def post(self, data):
        """Bind the screen that shows pairing `code`; it starts playing at once."""
        kiosk = pairing.pair(data["code"], data["name"], data["unit_code"], data["groups"], current_api_user())
        return {"id": kiosk.id}


@blp.route("/<int:kiosk_id>")
class KioskById(MethodView):
    @require("read")
    @blp.response(200, KioskSchema)
    def get(self, kiosk_id):
        """One screen: online, last seen, manifest version, what it plays."""
        return kiosk_state(lookup.get_visible(Kiosk, kiosk_id, current_api_user()))

    @require("manage_kiosks")
    @blp.arguments(KioskPatchSchema)
    @blp.response(200, KioskSchema)
    def patch(self, data, kiosk_id):
        """Rename, re-theme, move or regroup a screen; it reloads with its new manifest."""
        actor = current_api_user()
        return kiosk_state(kiosks.update_kiosk(lookup.get_visible(Kiosk, kiosk_id, actor), actor, **data))


@blp.route("/<int:kiosk_id>/revoke")
class KioskRevoke(MethodView):
    @require("manage_kiosks")
    @blp.response(200, KioskSchema)
    def post(self, kiosk_id):
        """Revoke the screen's token; it returns to the pairing screen."""
        return kiosk_state(kiosks.revoke_kiosk(lookup.get_visible(Kiosk, kiosk_id, current_api_user()), current_api_user()))

