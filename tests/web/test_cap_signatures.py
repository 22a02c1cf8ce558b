"""With trusted signers configured, only CAP messages they signed are taken."""


import pytest

from tests.cap_samples import cap_message, make_signer, sign
from tests.conftest import bearer, make_app


@pytest.fixture
def signed_app(tmp_path):
    key, cert = make_signer("Đài khí tượng thủy văn")
    cert_file = tmp_path / "trusted.pem"
    cert_file.write_text(cert)
    app = make_app(tmp_path, CAP_TRUSTED_CERTS=[cert])
    with app.app_context():
        from kiosk_server.services.core.tokens import create_token
        from kiosk_server.services.core.users import create_user

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
