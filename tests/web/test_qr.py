"""QR codes decode to exactly the URL they were drawn for (zxing-cpp reads what qrcode drew)."""

import io

import pytest
import zxingcpp
from PIL import Image

URLS = [
    "https://dichvucong.gov.vn",
    "https://dichvucong.gov.vn/p/phananhkiennghi/pakn-gioi-thieu.html",
    "https://bangtin.tuyenquang.gov.vn/q/ab3k9xyz",
    "https://example.gov.vn/thông-báo?id=12&lang=vi",
]


def signed(url: str) -> dict:
    from kiosk_server.services.core.qr_images import signature

    return {"u": url, "s": signature(url)}


@pytest.mark.parametrize("url", URLS)
def test_png_qr_decodes_to_its_url(client, url):
    response = client.get("/kiosk/qr.png", query_string=signed(url))
    assert response.status_code == 200 and response.mimetype == "image/png"
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert result.text == url
    assert result.format == zxingcpp.BarcodeFormat.QRCode


def test_svg_qr_is_served_for_screens(client):
    response = client.get("/kiosk/qr.svg", query_string=signed(URLS[0]))
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://x.vn/a", "", "https://" + "a" * 700 + ".vn"])
def test_qr_refuses_what_is_not_a_web_address(client, bad):
    assert client.get("/kiosk/qr.svg", query_string=signed(bad)).status_code == 404
    assert client.get("/kiosk/qr.png", query_string=signed(bad)).status_code == 404
