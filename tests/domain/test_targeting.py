"""The targeting rule with plain values: a target reaches a screen when they share a room."""

from datetime import UTC, datetime, timedelta

from kiosk_server.domain import targeting

CHAIN = ["02215", "08"]  # a commune, then its province


def test_a_unit_target_reaches_screens_in_it_and_below_it_only():
    assert targeting.reaches({"units": ["08"]}, 7, CHAIN, [])
    assert targeting.reaches({"units": ["02215"]}, 7, CHAIN, [])
    assert not targeting.reaches({"units": ["02212"]}, 7, CHAIN, [])
    assert not targeting.reaches({"units": ["02215"]}, 7, ["08"], [])  # a province screen, commune notice


def test_group_and_screen_targets_reach_their_members_only():
    assert targeting.reaches({"groups": [3]}, 7, CHAIN, [3, 4])
    assert not targeting.reaches({"groups": [5]}, 7, CHAIN, [3, 4])
    assert targeting.reaches({"kiosks": [7]}, 7, CHAIN, [])
    assert not targeting.reaches({"kiosks": [8]}, 7, CHAIN, [])


def test_no_targets_reach_nothing():
    assert targeting.rooms_for(None) == set()
    assert not targeting.reaches(None, 7, CHAIN, [3])


def test_a_screen_joins_one_room_per_way_it_can_be_reached():
    assert targeting.kiosk_rooms(7, CHAIN, [3]) == ["kiosk:7", "unit:02215", "unit:08", "group:3"]
    assert targeting.rooms_for({"units": ["08"], "groups": [3], "kiosks": [7]}) == {"unit:08", "group:3", "kiosk:7"}


def test_manifest_etag_names_kiosk_and_version():
    assert targeting.manifest_etag(7, 42) == '"m7-42"'


def test_last_seen_is_written_at_most_every_thirty_seconds():
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert targeting.seen_is_due(None, now)
    assert not targeting.seen_is_due(now - timedelta(seconds=30), now)
    assert targeting.seen_is_due(now - timedelta(seconds=31), now)
