"""The audit log is written by every state change and can never be edited or deleted."""

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry
from kiosk_server.models.audit import AuditLogIsAppendOnly
from kiosk_server.services.core import tokens, users
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE


def test_each_change_leaves_who_what_and_values(officers):
    admin = officers["commune_admin"]
    person = users.create_user("moi@example.vn", "mat-khau-dai-1", "viewer", COMMUNE, actor=admin)
    users.update_user(person, admin, role="editor")
    token, _ = tokens.create_token(person, "x", actor=admin)
    tokens.revoke_token(token, admin)
    kiosk, _ = kiosks.provision_kiosk("Màn hình", COMMUNE, actor=admin)
    kiosks.revoke_kiosk(kiosk, admin)

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor == "xa@example.vn")).all()
    assert [e.action for e in entries] == [
        "user.create", "user.update", "token.create", "token.revoke", "kiosk.provision", "kiosk.revoke",
    ]
    update = entries[1]
    assert (update.before["role"], update.after["role"]) == ("viewer", "editor")
    assert all(e.unit_code == COMMUNE and e.actor_id == admin.id for e in entries)
    assert all("password" not in str(e.after) for e in entries), "no secret ever reaches the log"
    assert all(e.at.tzinfo is not None for e in entries)


def test_audit_entries_cannot_be_changed(officers):
    entry = db.session.scalar(select(AuditEntry))
    entry.action = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_audit_entries_cannot_be_deleted(officers):
    entry = db.session.scalar(select(AuditEntry))
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id) is not None
