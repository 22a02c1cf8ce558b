"""The decorator stacks API views share, written once: a guarded, paged list and a stack of decorators as one."""

from __future__ import annotations

from collections.abc import Callable

from flask_smorest import Blueprint
from marshmallow import Schema
from sqlalchemy import select

from kiosk_server.services.core import scope
from kiosk_server.web import paging
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import PageQuerySchema


def stacked(*decorators: Callable) -> Callable:
    """Return one decorator that applies `decorators` as if written one above the other, the first outermost."""

    def apply(view: Callable) -> Callable:
        for decorate in reversed(decorators):
            view = decorate(view)
        return view

    return apply


def list_view(blp: Blueprint, permission: str, schema: type[Schema], query: type[Schema] = PageQuerySchema) -> Callable:
    """Return the decorator of a GET list: needs `permission`, reads its paged `query`, answers many `schema`.

    `unknown=None` lets the query schema's own RAISE apply, so a misspelt parameter is a 422, not ignored.
    """
    return stacked(require(permission), blp.arguments(query, location="query", unknown=None),
                   blp.response(200, schema(many=True)))


def scoped_page(model: type, order_by, args: dict) -> list:
    """Return the page `args` asks for of the `model` rows in the caller's scope (by `unit_code`), in `order_by`."""
    query = select(model).where(scope.scope_filter(current_api_user(), model.unit_code)).order_by(order_by)
    return paging.api_page(query, args)
