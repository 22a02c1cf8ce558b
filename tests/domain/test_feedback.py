"""The pure rules of feedback: tracking codes, phone numbers, statuses and the overdue rule (fixed clock)."""

from datetime import UTC, datetime, timedelta

import pytest

from kiosk_server.domain import feedback as rules

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_tracking_codes_are_random_and_shaped_for_people():
    codes = {rules.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000, "no repeats in a sample"
    for code in codes:
        assert rules.normalise_tracking_code(code) == code
        assert code.startswith("PA-") and len(code) == 12
        assert not set(code[3:].replace("-", "")) & set("ILOU"), "no letters that read as digits"
    ordered = sorted(codes)
    assert ordered != list(codes), "not handed out in order"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("PA-7K3Q-92MD", "PA-7K3Q-92MD"),
    ("pa-7k3q-92md", "PA-7K3Q-92MD"),
    (" PA 7K3Q 92MD ", "PA-7K3Q-92MD"),
    ("7K3Q92MD", "PA-7K3Q-92MD"),
    ("PA-7K3Q-92MO", "PA-7K3Q-92M0"),  # O typed for zero
    ("PA-IK3Q-92MD", "PA-1K3Q-92MD"),  # I typed for one
])
def test_typed_codes_are_forgiven(typed, canonical):
    assert rules.normalise_tracking_code(typed) == canonical


@pytest.mark.parametrize("typed", ["", "PA-7K3Q", "PA-7K3Q-92MDX", "PA-7K3Q-92M!", "../../etc/passwd", "x" * 100, None])
def test_non_codes_are_refused(typed):
    assert rules.normalise_tracking_code(typed) is None


@pytest.mark.parametrize(("typed", "number"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0362-123-456", "0362123456"),
    ("0207 3822 123", "02073822123"),  # a landline: 02 + area code + number
])
def test_vietnamese_phone_numbers_are_read(typed, number):
    assert rules.normalise_phone(typed) == number


@pytest.mark.parametrize("typed", ["123", "0112345678", "091234567", "09123456789", "+1 202 555 0100", "0912abc678",
                                   "<script>", "0912345678; DROP TABLE"])
def test_other_phone_numbers_are_refused(typed):
    assert rules.normalise_phone(typed) is None


def test_statuses_move_forward_and_reopen():
    assert rules.can_move("new", "in_progress")
    assert rules.can_move("in_progress", "answered")
    assert rules.can_move("answered", "closed")
    assert rules.can_move("answered", "in_progress"), "reopen an answered item"
    assert rules.can_move("closed", "in_progress"), "reopen a closed item"
    assert not rules.can_move("closed", "answered"), "a closed item is reopened before it is answered"
    assert not rules.can_move("answered", "new")
    assert not rules.can_move("in_progress", "new")
    assert not rules.can_move("new", "unknown")


def test_overdue_after_the_configured_days_while_unanswered():
    received = NOW - timedelta(days=10, minutes=1)
    assert rules.is_overdue("new", received, NOW, 10)
    assert rules.is_overdue("in_progress", received, NOW, 10)
    assert not rules.is_overdue("answered", received, NOW, 10)
    assert not rules.is_overdue("closed", received, NOW, 10)


def test_not_overdue_until_the_due_moment():
    received = NOW - timedelta(days=10)
    assert rules.due_at(received, 10) == NOW
    assert not rules.is_overdue("new", received, NOW, 10), "due now is not yet late"
    assert rules.is_overdue("new", received, NOW + timedelta(seconds=1), 10)
    assert not rules.is_overdue("new", NOW - timedelta(days=9), NOW, 10)
    assert rules.is_overdue("new", NOW - timedelta(days=4), NOW, 3), "the number of days is a setting"


def test_the_database_cutoff_agrees_with_the_rule():
    cutoff = rules.overdue_cutoff(NOW, 10)
    for minutes in range(-3, 4):
        received = cutoff + timedelta(minutes=minutes)
        assert rules.is_overdue("new", received, NOW, 10) == (received < cutoff)


def test_text_is_kept_as_typed_minus_control_characters():
    typed = "  <b>Đèn</b> hỏng\r\nở tổ 5\x00\x07\u200b  "
    assert rules.clean_text(typed) == "<b>Đèn</b> hỏng\nở tổ 5"
    assert rules.clean_text("Đe\u0300n") == "Đèn", "composed to NFC"
    assert rules.clean_line("  Nguyễn \n Văn\tA ") == "Nguyễn Văn A"


def test_excerpt_cuts_at_a_word():
    assert rules.excerpt("ngắn") == "ngắn"
    assert rules.excerpt("một hai ba bốn năm sáu", 12) == "một hai ba…"
