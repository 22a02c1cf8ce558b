"""marshmallow schemas of the API: they validate input and document the OpenAPI."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.domain import roles, units


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


class KioskCreatedSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "shown once; the kiosk keeps it"})


class KioskSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit_code = fields.String()
    groups = fields.List(fields.String())
    online = fields.Boolean()
    last_seen = fields.String(allow_none=True)
    manifest_version = fields.Integer()
    current_item = fields.Raw(allow_none=True)
    revoked = fields.Boolean()
