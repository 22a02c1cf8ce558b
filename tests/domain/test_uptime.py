"""Uptime arithmetic on a fixed clock: online share per Viet Nam day, outages, and how a batch is written."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk_server.domain import uptime
from kiosk_server.domain.reports import VN
from kiosk_server.domain.uptime import Heard, OpenRow, Span

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

WINDOW = timedelta(seconds=90)


def vn(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant on December `day`, 2026, at hour:minute Viet Nam time, as UTC."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=VN).astimezone(UTC)


def test_vn_helper_is_utc_plus_seven():
    assert vn(2, 0) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert vn(2, 8, 30) == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


def test_open_stretch_counts_until_now_while_heard_and_stops_a_window_after_silence():
    now = vn(2, 12)
    assert uptime.effective_end(None, now - timedelta(seconds=20), now, WINDOW) == now
    silent = now - timedelta(hours=1)
    assert uptime.effective_end(None, silent, now, WINDOW) == silent + WINDOW
    assert uptime.effective_end(vn(2, 9), vn(2, 9), now, WINDOW) == vn(2, 9)


def test_overlapping_stretches_from_two_processes_count_once():
    merged = uptime.merge([Span(vn(2, 8), vn(2, 10)), Span(vn(2, 9), vn(2, 11)), Span(vn(2, 13), vn(2, 14))])
    assert merged == [Span(vn(2, 8), vn(2, 11)), Span(vn(2, 13), vn(2, 14))]
    assert uptime.online_seconds(merged) == 4 * 3600


def test_outages_are_the_gaps_with_start_and_end_clipped_to_the_period():
    online = [Span(vn(1, 20), vn(2, 8)), Span(vn(2, 8, 10), vn(2, 17)), Span(vn(2, 18), vn(3, 9))]
    gaps = uptime.outages(online, vn(2, 0), vn(3, 0))
    assert gaps == [Span(vn(2, 8), vn(2, 8, 10)), Span(vn(2, 17), vn(2, 18))]
    assert uptime.outages([], vn(2, 0), vn(3, 0)) == [Span(vn(2, 0), vn(3, 0))], "never connected: down all day"


def test_online_share_per_viet_nam_day_splits_at_local_midnight():
    # Online from 22:00 on the 1st to 06:00 on the 2nd (Viet Nam time), then off until 12:00.
    online = [Span(vn(1, 22), vn(2, 6)), Span(vn(2, 12), vn(2, 18))]
    days = uptime.daily_shares(online, Span(vn(1, 0), vn(3, 0)), date(2026, 12, 1), date(2026, 12, 2))
    assert [(d.day, d.online_s / 3600) for d in days] == [(date(2026, 12, 1), 2.0), (date(2026, 12, 2), 12.0)]
    assert days[0].share == round(2 / 24, 4) and days[1].share == 0.5


def test_days_before_installation_and_after_now_have_no_share():
    online = [Span(vn(2, 12), vn(2, 15))]
    watched = Span(vn(2, 12), vn(2, 18))  # installed at noon, and it is 18:00 now
    days = uptime.daily_shares(online, watched, date(2026, 12, 1), date(2026, 12, 3))
    assert [d.share for d in days] == [None, 0.5, None]


def test_heartbeats_of_an_open_connection_extend_its_stretch_in_one_write():
    heard = Heard()
    since = vn(2, 8)
    for minute in range(0, 5):
        heard.heard(since, vn(2, 8, minute))
    plan = uptime.plan_writes(OpenRow(7, vn(2, 7, 59, 30)), heard, WINDOW)
    assert plan.extend == [uptime.Extend(7, vn(2, 8, 4))] and not plan.close and not plan.insert


def test_first_connection_opens_a_stretch():
    heard = Heard()
    heard.heard(vn(2, 8), vn(2, 8, 0, 5))
    plan = uptime.plan_writes(None, heard, WINDOW)
    assert plan.insert == [uptime.NewRow(vn(2, 8), vn(2, 8, 0, 5), None)]


def test_disconnect_then_reconnect_in_one_batch_keeps_the_outage():
    heard = Heard()
    first, second = vn(2, 8), vn(2, 9)
    heard.heard(first, vn(2, 8, 30))
    heard.ended(first, vn(2, 8, 40))
    heard.heard(second, vn(2, 9, 0, 1))
    plan = uptime.plan_writes(OpenRow(3, vn(2, 8, 30)), heard, WINDOW)
    assert plan.close == [uptime.Close(3, vn(2, 8, 40), vn(2, 8, 40), vn(2, 8, 40))]
    assert plan.insert == [uptime.NewRow(second, vn(2, 9, 0, 1), None)]


def test_a_stretch_left_open_by_a_dead_process_closes_a_window_after_its_last_word():
    heard = Heard()
    heard.heard(vn(2, 10), vn(2, 10))
    plan = uptime.plan_writes(OpenRow(5, vn(2, 8)), heard, WINDOW)
    assert plan.close == [uptime.Close(5, vn(2, 8) + WINDOW, vn(2, 8), vn(2, 8))]
    assert plan.insert == [uptime.NewRow(vn(2, 10), vn(2, 10), None)]
    assert uptime.stale_close(vn(2, 8), vn(2, 8, 1), WINDOW) is None
    assert uptime.stale_close(vn(2, 8), vn(2, 9), WINDOW) == vn(2, 8) + WINDOW


def test_a_restart_shorter_than_the_window_is_no_outage():
    heard = Heard()
    heard.heard(vn(2, 10, 0, 40), vn(2, 10, 0, 40))  # reconnected to another process 40 s later
    plan = uptime.plan_writes(OpenRow(5, vn(2, 10)), heard, WINDOW)
    assert plan.extend == [uptime.Extend(5, vn(2, 10, 0, 40))] and not plan.close and not plan.insert


def test_a_late_disconnect_does_not_close_what_another_process_heard_since():
    heard = Heard()
    heard.heard(vn(2, 8), vn(2, 8))
    heard.ended(vn(2, 8), vn(2, 9))
    plan = uptime.plan_writes(OpenRow(5, vn(2, 9, 1)), heard, WINDOW)
    assert not plan.close and not plan.insert


def test_a_connection_still_open_absorbs_a_shorter_one_beside_it():
    heard = Heard()
    heard.heard(vn(2, 8), vn(2, 8, 10))  # tab A, still open
    heard.heard(vn(2, 8, 20), vn(2, 8, 20))
    heard.ended(vn(2, 8, 20), vn(2, 8, 30))  # tab B, closed
    plan = uptime.plan_writes(OpenRow(1, vn(2, 8, 10)), heard, WINDOW)
    assert plan.extend == [uptime.Extend(1, vn(2, 8, 30))] and not plan.close


def test_batches_combine_in_order():
    earlier, later = Heard(), Heard()
    earlier.heard(vn(2, 8), vn(2, 8, 1))
    later.ended(vn(2, 8), vn(2, 8, 2))
    combined = earlier.then(later)
    assert combined.open == {} and combined.closed == [(vn(2, 8), vn(2, 8, 2))]
