"""Officer roles and what each may do.

The roles form a ladder: each can do everything of the ones below it. Scope (which units) is a
separate question answered by `kiosk_server.services.core.scope`.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("viewer", "editor", "approver", "admin")

# What each permission needs, as the lowest role that holds it.
PERMISSIONS: dict[str, str] = {
    "read": "viewer",
    "edit_content": "editor",
    "manage_kiosks": "editor",
    "approve": "approver",
    "raise_alert": "approver",
    "manage_users": "admin",
    "manage_units": "admin",
    "read_audit": "admin",
}


def is_role(value: str) -> bool:
    """Return True when `value` names a role."""
    return value in ROLES


def rank(role: str) -> int:
    """Return the position of `role` on the ladder (viewer is 0)."""
    return ROLES.index(role)


def can(role: str, permission: str) -> bool:
    """Return True when an officer of `role` holds `permission`."""
    return rank(role) >= rank(PERMISSIONS[permission])


def may_grant(granter_role: str, role: str) -> bool:
    """Return True when an officer of `granter_role` may give another officer `role`."""
    return can(granter_role, "manage_users") and rank(role) <= rank(granter_role)
