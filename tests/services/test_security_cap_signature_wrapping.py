"""A signed CAP message is read from what the signature covers, never from the document around it:
a trusted signature pasted into, or wrapped by, a forged <alert> is refused (XML signature wrapping)."""

import pytest
from lxml import etree
from signxml import XMLSigner, methods
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert
from kiosk_server.services.screens import kiosks
from tests.cap_samples import cap_message, make_signer, sign
from tests.conftest import COMMUNE, bearer, make_app
from tests.web.test_api import assert_error

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
FORGED = "Sơ tán ngay: đập thủy điện bị vỡ"


@pytest.fixture
def signed_app(tmp_path):
    key, cert = make_signer("Đài khí tượng thủy văn")
    app = make_app(tmp_path, CAP_TRUSTED_CERTS=[cert])
    with app.app_context():
        from kiosk_server.services.core.tokens import create_token
        from kiosk_server.services.core.users import create_user

        user = create_user("duyet@example.vn", "password-123", "approver", None, actor="test")
        token = create_token(user)[1]
        _, kiosk_token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
        screen = socketio.test_client(app, namespace="/kiosk", auth={"token": kiosk_token})
        screen.get_received("/kiosk")
        yield app, token, key, cert, screen
        db.session.remove()
        db.engine.dispose()


def forged(identifier: str = "FORGED-1") -> etree._Element:
    return etree.fromstring(cap_message(identifier, headline=FORGED).encode())


def genuine(identifier: str = "GENUINE-1") -> etree._Element:
    return etree.fromstring(cap_message(identifier, headline="Tin thử của đài").encode())


def enveloping_signature_pasted_into_a_forged_alert(key, cert) -> bytes:
    # The signer signed an <alert> inside <ds:Object Id="object">; the forger appends that whole
    # <ds:Signature> to their own <alert>, where the CAP schema allows xmldsig elements.
    signature = XMLSigner(method=methods.enveloping, c14n_algorithm=EXC_C14N).sign(genuine(), key=key, cert=cert)
    outer = forged()
    outer.append(signature)
    return etree.tostring(outer)


def signed_alert_wrapped_by_a_forged_one(key, cert) -> bytes:
    # The genuine signed message, untouched, rides inside a <ds:Object> of the forged <alert>.
    signed = etree.fromstring(sign(cap_message("GENUINE-2", headline="Tin thử của đài"), key, cert))
    outer = forged("FORGED-2")
    wrapper = etree.SubElement(outer, f"{{{DS}}}Object")
    wrapper.append(signed)
    return etree.tostring(outer)


def forged_alert_beside_the_signature_of_another(key, cert) -> bytes:
    # The genuine message's signature moved onto the forged <alert>, the signed one dropped.
    signed = etree.fromstring(sign(cap_message("GENUINE-3", headline="Tin thử của đài"), key, cert))
    outer = forged("FORGED-3")
    outer.append(signed.find(f"{{{DS}}}Signature"))
    return etree.tostring(outer)


@pytest.mark.parametrize("build", [enveloping_signature_pasted_into_a_forged_alert,
                                   signed_alert_wrapped_by_a_forged_one,
                                   forged_alert_beside_the_signature_of_another])
def test_unsigned_content_around_a_signature_is_never_used(signed_app, build):
    app, token, key, cert, screen = signed_app
    response = app.test_client().post("/api/v1/alerts", data=build(key, cert), content_type="application/cap+xml",
                                      headers=bearer(token))
    assert "signature" in assert_error(response, 422, "invalid_cap")["fields"]
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 0
    assert [e["name"] for e in screen.get_received("/kiosk") if e["name"] in ("alert", "manifest")] == []


def test_a_properly_signed_message_is_read_from_its_signed_content(signed_app):
    app, token, key, cert, screen = signed_app
    response = app.test_client().post("/api/v1/alerts", data=sign(cap_message("GENUINE-4"), key, cert),
                                      content_type="application/cap+xml", headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    alert = db.session.get(Alert, response.get_json()["id"])
    assert (alert.identifier, alert.headline) == ("GENUINE-4", "Cảnh báo lũ quét")
    assert [e["args"][0]["id"] for e in screen.get_received("/kiosk") if e["name"] == "alert"] == [alert.id]
