"""Issue 10, item 11: every `next` parameter goes through one helper and stays on this site."""

from __future__ import annotations

import pytest

from kiosk_server.models import Notice
from kiosk_server.web.redirects import safe_next
from tests.conftest import Auth
from tests.notice_helpers import create

EVIL = ["/\t/evil.com", "//evil.com", "/\\evil.com", "https://evil.com", "/\n/evil.com", "\\\\evil.com",
        "javascript:alert(1)", " //evil.com"]


@pytest.mark.parametrize("target", EVIL)
def test_helper_refuses_other_sites(target):
    assert safe_next(target, "/admin/") == "/admin/"


@pytest.mark.parametrize("target", ["/admin/notices?status=draft", "/admin/approvals", "/"])
def test_helper_keeps_paths_on_this_site(target):
    assert safe_next(target, "/admin/") == target


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_sends_the_officer_elsewhere(client, officers, target):
    auth = Auth(client)
    response = client.post("/login", query_string={"next": target},
                           data={"email": "bientap@example.vn", "password": "password-123", "csrf_token": auth.csrf()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_never_sends_the_officer_elsewhere(client, auth, officers, target):
    auth.login("bientap@example.vn")
    response = client.post("/lang/en", data={"next": target, "csrf_token": auth.csrf("/admin/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", EVIL)
def test_notice_actions_never_send_the_officer_elsewhere(client, auth, officers, tokens, target):
    created = create(client, tokens["editor"])
    auth.login("bientap@example.vn")
    response = client.post(f"/admin/notices/{created['id']}/submit",
                           data={"next": target, "csrf_token": auth.csrf("/admin/")})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/notices/{created['id']}"
    from kiosk_server.extensions import db

    assert db.session.get(Notice, created["id"]).status == "submitted"  # the action itself still happened


def test_notice_action_follows_a_path_on_this_site(client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    auth.login("bientap@example.vn")
    response = client.post(f"/admin/notices/{created['id']}/submit",
                           data={"next": "/admin/approvals", "csrf_token": auth.csrf("/admin/")})
    assert response.headers["Location"] == "/admin/approvals"
