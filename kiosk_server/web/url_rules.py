"""A blueprint's URL map as a table: one row a rule, so every route of a feature reads on one screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from flask import Blueprint

# (rule, endpoint, view) or (rule, endpoint, view, methods); without methods a rule answers GET.
UrlRule = tuple[str, str, Callable] | tuple[str, str, Callable, Sequence[str]]


def add_url_rules(blueprint: Blueprint, rules: Iterable[UrlRule]) -> None:
    """Register each (rule, endpoint, view[, methods]) row of `rules` on `blueprint`, in order."""
    for rule, endpoint, view, *methods in rules:
        blueprint.add_url_rule(rule, endpoint, view, methods=list(methods[0]) if methods else None)
