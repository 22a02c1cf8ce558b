"""/api/v1/users and /api/v1/me: officers, managed within the caller's scope."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from kiosk_server.models import User
from kiosk_server.services.core import users
from kiosk_server.services.read_models import lookup
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import UserCreateSchema, UserPatchSchema, UserSchema
from kiosk_server.web.api.stacks import list_view, scoped_page

blp = Blueprint("api_users", __name__, url_prefix="/api/v1", description="Officers")


@blp.route("/me")
class Me(MethodView):
    @require("read")
    @blp.response(200, UserSchema)
    def get(self):
        """The officer the token belongs to."""
        return current_api_user().to_dict()


@blp.route("/users")
class Users(MethodView):
    @list_view(blp, "manage_users", UserSchema)
    def get(self, args):
        """Officers within the caller's scope, by email, a page at a time (`page`, `per_page`)."""
        return [u.to_dict() for u in scoped_page(User, User.email, args)]

    @require("manage_users")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create an officer in the caller's scope with a role no higher than the caller's."""
        return users.create_user(actor=current_api_user(), **data).to_dict()


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @require("manage_users")
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One officer."""
        return lookup.get_visible(User, user_id, current_api_user()).to_dict()

    @require("manage_users")
    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change an officer's name, role, unit, password or active flag."""
        user = lookup.get_visible(User, user_id, current_api_user())
        return users.update_user(user, current_api_user(), **data).to_dict()

