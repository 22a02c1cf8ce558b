"""With trusted signers configured, only CAP messages they signed are taken."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

from tests.cap_samples import cap_message
from tests.conftest import bearer, make_app


def make_signer(name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def sign(text: str, key_pem: bytes, cert_pem: str) -> bytes:
    root = etree.fromstring(text.encode())
    signed = XMLSigner().sign(root, key=key_pem, cert=cert_pem)
    return etree.tostring(signed)


@pytest.fixture
def signed_app(tmp_path):
    key, cert = make_signer("Đài khí tượng thủy văn")
    cert_file = tmp_path / "trusted.pem"
    cert_file.write_text(cert)
    app = make_app(tmp_path, CAP_TRUSTED_CERTS=[cert])
    with app.app_context():
        from kiosk_server.services.tokens import create_token
        from kiosk_server.services.users import create_user

        user = create_user("duyet@example.vn", "password-123", "approver", None, actor="test")
        token = create_token(user)[1]
    return app, token, key, cert


def post(app, token, data: bytes):
    return app.test_client().post("/api/v1/alerts", data=data, content_type="application/cap+xml",
                                  headers=bearer(token))


def test_message_signed_by_a_trusted_signer_is_taken(signed_app):
    app, token, key, cert = signed_app
    response = post(app, token, sign(cap_message("SIGNED-1"), key, cert))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_unsigned_message_is_refused(signed_app):
    app, token, _, _ = signed_app
    response = post(app, token, cap_message("UNSIGNED").encode())
    assert response.status_code == 422
    assert "signature" in response.get_json()["error"]["fields"]


def test_message_signed_by_a_stranger_is_refused(signed_app):
    app, token, _, _ = signed_app
    stranger_key, stranger_cert = make_signer("Kẻ giả mạo")
    response = post(app, token, sign(cap_message("FORGED"), stranger_key, stranger_cert))
    assert response.status_code == 422
    assert "signature" in response.get_json()["error"]["fields"]


def test_tampered_message_is_refused(signed_app):
    app, token, key, cert = signed_app
    signed = sign(cap_message("TAMPERED"), key, cert).replace(b"Immediate", b"Future")
    response = post(app, token, signed)
    assert response.status_code == 422
