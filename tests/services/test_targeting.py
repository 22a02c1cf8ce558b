"""Which screen gets what: a publish bumps exactly the screens its targets reach and emits to their rooms.

The rule is written once (`domain.targeting`: a target reaches a screen when they share a room);
these tests hold the database side (`services.targeting`, used by publish, the manifest and the
socket namespace) to it, screen by screen.
"""

from __future__ import annotations

import pytest

from kiosk_server.domain import targeting as rule
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk
from kiosk_server.services.content import notices
from kiosk_server.services.core import scope
from kiosk_server.services.screens import kiosks, targeting
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE
from tests.notice_helpers import notice_body

NEIGHBOUR = "02212"  # Phường Nông Tiến, same province as COMMUNE


@pytest.fixture
def screens(officers) -> dict[str, int]:
    """Screens in the commune (two groups), its neighbour, another province, and a revoked one."""
    made = {
        "hall": kiosks.provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")[0],
        "market": kiosks.provision_kiosk("Chợ", COMMUNE, ["Chợ"], actor="test")[0],
        "neighbour": kiosks.provision_kiosk("Nông Tiến", NEIGHBOUR, ["Trụ sở"], actor="test")[0],
        "far": kiosks.provision_kiosk("Cao Bằng", OTHER_COMMUNE, ["Trụ sở"], actor="test")[0],
        "revoked": kiosks.provision_kiosk("Đã thu hồi", COMMUNE, ["Trụ sở"], actor="test")[0],
    }
    kiosks.revoke_kiosk(made["revoked"], officers["commune_admin"])
    return {name: kiosk.id for name, kiosk in made.items()}


@pytest.fixture
def emitted(monkeypatch) -> list[tuple[str, dict, str]]:
    """Every (event, payload, room) sent to the /kiosk namespace from now on."""
    sent: list[tuple[str, dict, str]] = []

    def record(event, data=None, to=None, namespace=None, **_):
        if namespace == "/kiosk":
            sent.append((event, data, to))

    monkeypatch.setattr(socketio, "emit", record)
    return sent


def _versions(screens: dict[str, int]) -> dict[str, int]:
    db.session.expire_all()
    return {name: db.session.get(Kiosk, kid).manifest_version for name, kid in screens.items()}


def _publish(officers, author: str = "editor", approver: str = "approver", **changes):
    notice = notices.create_notice(notice_body(**changes), officers[author])
    notices.submit(notice, officers[author])
    return notices.approve(notice, officers[approver])


def _targets(screens: dict[str, int], kind: str) -> tuple[dict, dict]:
    """Return (notice changes, targets as stored) for one way of choosing screens."""
    hall_group = db.session.get(Kiosk, screens["hall"]).groups[0].id
    return {
        "commune": ({}, {"units": [COMMUNE], "groups": [], "kiosks": []}),
        "group": ({"targets": {"groups": [hall_group]}}, {"units": [], "groups": [hall_group], "kiosks": []}),
        "one screen": ({"targets": {"kiosks": [screens["market"]]}},
                       {"units": [], "groups": [], "kiosks": [screens["market"]]}),
    }[kind]


@pytest.mark.parametrize(("kind", "reached"), [
    ("commune", {"hall", "market"}),
    ("group", {"hall"}),
    ("one screen", {"market"}),
])
def test_publish_bumps_exactly_the_screens_it_reaches(officers, screens, emitted, kind, reached):
    changes, targets = _targets(screens, kind)
    before = _versions(screens)
    notice = _publish(officers, **changes)
    after = _versions(screens)

    bumped = {name for name in screens if after[name] != before[name]}
    assert bumped == reached  # neighbour, the other province and the revoked screen keep their version
    assert {after[name] for name in reached} == {max(after.values())}
    manifests = [(data, room) for event, data, room in emitted if event == "manifest"]
    assert sorted(room for _, room in manifests) == sorted(rule.rooms_for(targets))
    assert {data["version"] for data, _ in manifests} == {max(after.values())}

    for name, kid in screens.items():
        kiosk = db.session.get(Kiosk, kid)
        chain = scope.ancestor_codes(kiosk.unit_code)
        by_rule = rule.reaches(targets, kid, chain, [g.id for g in kiosk.groups])
        # The three former copies agree with the rule: publish's bump, the manifest's notice list and
        # the rooms the screen joins.
        assert (name in bumped) == (by_rule and not kiosk.revoked), name
        assert (notice.id in targeting.notice_ids_for(kiosk)) == by_rule, name
        assert bool(set(targeting.rooms_of(kiosk)) & {room for _, room in manifests}) == by_rule, name


def test_province_notice_reaches_its_communes_but_not_another_province(officers, screens, emitted):
    before = _versions(screens)
    _publish(officers, author="province_admin", approver="national", unit_code=PROVINCE)
    after = _versions(screens)
    assert {name for name in screens if after[name] != before[name]} == {"hall", "market", "neighbour"}
    assert [room for event, _, room in emitted if event == "manifest"] == [rule.unit_room(PROVINCE)]


def test_withdraw_bumps_the_same_screens_as_the_publish(officers, screens, emitted):
    changes, _ = _targets(screens, "group")
    notice = _publish(officers, **changes)
    published = _versions(screens)
    emitted.clear()
    notices.withdraw(notice, officers["approver"])
    after = _versions(screens)
    assert {name for name in screens if after[name] != published[name]} == {"hall"}
    hall_group = db.session.get(Kiosk, screens["hall"]).groups[0].id
    assert [room for event, _, room in emitted if event == "manifest"] == [rule.group_room(hall_group)]
    assert notice.id not in targeting.notice_ids_for(db.session.get(Kiosk, screens["hall"]))


def test_a_screen_joins_its_own_room_its_units_and_its_groups(screens):
    hall = db.session.get(Kiosk, screens["hall"])
    assert targeting.rooms_of(hall) == [
        f"kiosk:{hall.id}", f"unit:{COMMUNE}", f"unit:{PROVINCE}", f"group:{hall.groups[0].id}",
    ]


def test_alert_announces_its_manifest_through_the_publish_path(officers, screens, emitted):
    from datetime import timedelta

    from kiosk_server.models.base import utcnow
    from kiosk_server.services.alerts import alerts

    before = _versions(screens)
    alerts.raise_alert({"headline": "Lũ quét", "hazard": "flood", "level": 4, "unit_codes": [COMMUNE],
                        "expires_at": (utcnow() + timedelta(hours=2)).isoformat()}, officers["approver"])
    after = _versions(screens)
    assert {name for name in screens if after[name] != before[name]} == {"hall", "market"}
    assert [(event, room) for event, _, room in emitted] == [("alert", rule.unit_room(COMMUNE)),
                                                            ("manifest", rule.unit_room(COMMUNE))]
    assert [data for event, data, _ in emitted if event == "manifest"] == [{"version": after["hall"]}]


def test_delayed_alert_manifest_is_stored_work_sent_with_its_version(tmp_path):
    # The manifest message of an alert goes out a moment later, by whichever process runs due work
    # then (services/core/due.py): it carries the version it was given, with no request or timer in memory.
    import time
    from datetime import timedelta

    from kiosk_server.models.base import utcnow
    from kiosk_server.services.alerts import alerts
    from kiosk_server.services.core import due, users
    from tests.conftest import make_app

    app = make_app(tmp_path, ALERT_MANIFEST_DELAY_S=0.05)
    with app.app_context():
        kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
        screen = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
        approver = users.create_user("duyet@example.vn", "password-123", "approver", COMMUNE, actor="test")
        alerts.raise_alert({"headline": "Lũ quét", "hazard": "flood", "level": 4, "unit_codes": [COMMUNE],
                            "expires_at": (utcnow() + timedelta(hours=2)).isoformat()}, approver)
        version = db.session.get(Kiosk, kiosk.id).manifest_version
        assert [e["name"] for e in screen.get_received("/kiosk")] == ["alert"], "the manifest waits its turn"
        db.session.remove()
    time.sleep(0.1)
    with app.app_context():
        assert due.run_due() == 1
        events = screen.get_received("/kiosk")
        db.session.remove()
        db.engine.dispose()
    assert [(e["name"], e["args"][0]) for e in events] == [("manifest", {"version": version})]
