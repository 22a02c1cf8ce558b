"""Source rules with plain values: which addresses a fetch may reach, polling intervals, reading feeds."""

from __future__ import annotations

import pytest

from kiosk_server.domain import feeds
from kiosk_server.domain import sources as rules
from tests.cap_samples import cap_message
from tests.source_server import BILLION_LAUGHS, cap_index, rss


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1",  # noqa: S104 (an address checked, not bound)
                                     "224.0.0.1"])
def test_internal_addresses_are_internal(address):
    assert rules.internal_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "203.162.4.191", "2001:4860:4860::8888"])
def test_public_addresses_are_not(address):
    assert not rules.internal_address(address)


def test_a_name_resolving_to_an_internal_address_is_refused_unless_listed():
    with pytest.raises(rules.AddressRefused, match="mạng nội bộ"):
        rules.check_addresses("nguon.example.vn", 443, ["203.162.4.191", "10.0.0.5"], frozenset())
    allow = rules.parse_allow_hosts(" Nguon.Example.VN:443 , 127.0.0.1:8080")
    rules.check_addresses("nguon.example.vn", 443, ["10.0.0.5"], allow)
    with pytest.raises(rules.AddressRefused):
        rules.check_addresses("nguon.example.vn", 80, ["10.0.0.5"], allow), "another port is not listed"
    rules.check_addresses("127.0.0.1", 8080, ["127.0.0.1"], allow)


@pytest.mark.parametrize("url", ["ftp://example.vn/x", "file:///etc/passwd", "gopher://x", "http://", "javascript:1",
                                 "http://user:pw@example.vn/", "http://exa mple.vn/", ""])
def test_only_plain_http_urls_are_sources(url):
    with pytest.raises(rules.AddressRefused):
        rules.check_url(url)


def test_check_url_names_host_and_default_port():
    assert rules.check_url("https://KTTV.gov.vn./cap") == ("https", "kttv.gov.vn", 443)
    assert rules.check_url("http://kttv.gov.vn:8080/") == ("http", "kttv.gov.vn", 8080)


def test_errors_in_a_row_double_the_wait_up_to_six_hours():
    assert rules.next_poll_delay(300, 0) == 300
    assert rules.next_poll_delay(300, 1) == 600
    assert rules.next_poll_delay(300, 3) == 2400
    assert rules.next_poll_delay(300, 40) == rules.MAX_BACKOFF_SECONDS


def test_rss_entries_are_read_with_their_ids_links_and_summaries():
    doc = feeds.read(rss(("g1", "Tiêu đề &amp; tin", "https://a.vn/1", "<p>Tóm tắt</p>")).encode())
    [entry] = doc.entries
    assert (doc.kind, entry.key, entry.title, entry.link, entry.summary) == (
        "rss", "g1", "Tiêu đề & tin", "https://a.vn/1", "<p>Tóm tắt</p>")
    assert entry.published is not None


def test_an_atom_cap_index_gives_the_link_to_each_cap_document():
    doc = feeds.read(cap_index(("urn:a", "https://kttv.gov.vn/a.xml")).encode())
    assert doc.kind == "atom" and doc.entries[0].cap_link == "https://kttv.gov.vn/a.xml"


def test_a_cap_document_is_recognised_by_its_identifier():
    doc = feeds.read(cap_message("KTTV-9").encode())
    assert doc.kind == "cap" and doc.cap_identifier == "KTTV-9"


@pytest.mark.parametrize("data", [BILLION_LAUGHS.encode(),
                                  b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
                                  b"<html><body>not a feed</body></html>", b"not xml", b""])
def test_documents_that_are_not_safe_feeds_are_refused(data):
    with pytest.raises(feeds.FeedError):
        feeds.read(data)
