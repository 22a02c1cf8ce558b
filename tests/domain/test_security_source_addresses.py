"""Issue 20, items 8 and 9: the address edges a source's fetch could slip through, and when and in which order it polls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk_server.domain import sources as rules


@pytest.mark.parametrize("address", [
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254, the metadata service
    "2001:0:a00:1::f5ff:fffe",  # Teredo whose server is 10.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo whose client is 10.0.0.1 (stored inverted)
    "fec0::1",  # site-local
    "fec0:0:0:ffff::1",
])
def test_ipv6_forms_that_carry_an_internal_address_are_internal(address):
    assert rules.internal_address(address)


def test_a_6to4_address_of_a_public_ipv4_is_public():
    assert not rules.internal_address("2002:808:808::1")  # 8.8.8.8


def test_a_listed_host_without_a_port_is_allowed_on_its_schemes_default_port_only():
    allow = rules.parse_allow_hosts("nguon.tinh.vn")
    rules.check_addresses("nguon.tinh.vn", 443, ["10.0.0.5"], allow, "https")
    rules.check_addresses("nguon.tinh.vn", 80, ["10.0.0.5"], allow, "http")
    for scheme, port in (("https", 6379), ("http", 5432), ("https", 80), ("http", 443)):
        with pytest.raises(rules.AddressRefused, match="mạng nội bộ"):
            rules.check_addresses("nguon.tinh.vn", port, ["10.0.0.5"], allow, scheme)


def test_a_listed_host_with_a_port_is_allowed_on_that_port():
    allow = rules.parse_allow_hosts("nguon.tinh.vn:8443")
    rules.check_addresses("nguon.tinh.vn", 8443, ["10.0.0.5"], allow, "https")
    with pytest.raises(rules.AddressRefused):
        rules.check_addresses("nguon.tinh.vn", 443, ["10.0.0.5"], allow, "https")


def test_a_refusal_names_the_host_never_what_it_resolved_to():
    with pytest.raises(rules.AddressRefused) as refused:
        rules.check_addresses("db.noibo.vn", 443, ["203.162.4.191", "10.20.30.40"], frozenset(), "https")
    assert "db.noibo.vn" in refused.value.message
    assert "10.20.30.40" not in refused.value.message and "203.162.4.191" not in refused.value.message


def test_a_source_is_never_fetched_twice_within_the_minimum_interval():
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert rules.seconds_before_poll(None, now) == 0
    assert rules.seconds_before_poll(now - timedelta(seconds=10), now) == rules.MIN_POLL_SECONDS - 10
    assert rules.seconds_before_poll(now - timedelta(seconds=rules.MIN_POLL_SECONDS), now) == 0


def test_due_polls_start_with_cap_sources_then_by_due_time():
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    due = [(1, "feed", at), (2, "feed", at - timedelta(minutes=5)), (3, "cap", at), (4, "cap", at - timedelta(minutes=1))]
    assert rules.poll_order(due) == [4, 3, 2, 1]
