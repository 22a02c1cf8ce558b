"""Hardening (issue 20, item 10): the PDF fetches only its fonts, /metrics is not fooled by a proxy, /healthz
keeps one Redis client, and a deployment on Redis names its own channel."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from kiosk_server import config as settings
from kiosk_server import create_app
from kiosk_server.services.reports import report_files
from tests.conftest import make_app, test_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint's own fetcher opened during the test."""
    # Importing WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the process: put it back afterwards.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", ImageFile.LOAD_TRUNCATED_IMAGES)
    from weasyprint.urls import URLFetcher

    opened: list[str] = []
    fetch = URLFetcher.fetch

    def spy(self, url, headers=None):
        opened.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    return opened


def _png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(data, "PNG")
    return data.getvalue()


def test_a_report_pdf_fetches_no_file_and_no_address_but_its_fonts(app, upstream, fetched, tmp_path):
    upstream.serve("/x.png", _png(), content_type="image/png")
    upstream.serve("/style.css", "body { background: url('/bg.png') }", content_type="text/css")
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png())
    html = (f'<html><head><link rel="stylesheet" href="{upstream.url("/style.css")}"></head><body>'
            f'<img src="file:///etc/passwd"><img src="{photo.as_uri()}"><img src="{upstream.url("/x.png")}">'
            f'<p style="background: url(\'{upstream.url("/bg.png")}\'); font-family: \'Be Vietnam Pro\'">Xin chào</p>'
            '</body></html>')

    pdf = report_files.pdf_from_html(html)

    assert pdf.startswith(b"%PDF")
    assert upstream.requests == []
    fonts = Path(app.instance_path) / "report-fonts"
    assert [url for url in fetched if Path(report_files.path_of(url) or "/").parent != fonts] == []
    assert (fonts / "be-vietnam-pro-400.ttf").as_uri() in fetched, "the report's own font still loads"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/a.ttf",
                                 "data:text/plain,abc", "file:///srv/report-fonts/../../etc/passwd",
                                 "file://other-host/srv/report-fonts/be-vietnam-pro-400.ttf"])
def test_only_a_font_in_the_reports_font_folder_is_fetchable(url, tmp_path):
    fonts = tmp_path / "report-fonts"
    assert not report_files.fetchable(url, fonts)
    assert not report_files.fetchable(url.replace("/srv/report-fonts", str(fonts)), fonts)
    assert report_files.fetchable((fonts / "be-vietnam-pro-400.ttf").as_uri(), fonts)
    assert not report_files.fetchable((fonts / "notes.txt").as_uri(), fonts)


def test_metrics_do_not_take_a_proxied_request_for_loopback(client):
    forwarded = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403
    assert "bangtin_" not in forwarded.get_data(as_text=True)
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 403
    assert client.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics").status_code == 200, "a direct local scrape still answers"


def test_metrics_behind_a_trusted_proxy_check_the_client_and_a_token_always_works(tmp_path):
    app = make_app(tmp_path, PROXIES=1, METRICS_TOKEN="scrape-secret-123")
    client = app.test_client()
    with app.app_context():
        assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
    direct = make_app(tmp_path / "direct", METRICS_TOKEN="scrape-secret-123")
    with direct.app_context():
        scraper = direct.test_client().get("/metrics", headers={
            "X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer scrape-secret-123"})
        assert scraper.status_code == 200


def _count_pools(monkeypatch) -> list[object]:
    import redis

    made: list[object] = []
    init = redis.ConnectionPool.__init__

    def spy(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.ConnectionPool, "__init__", spy)
    return made


def test_health_keeps_one_redis_client_when_redis_is_down(tmp_path, monkeypatch):
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REDIS_NAMESPACE="test")
    pools = _count_pools(monkeypatch)
    with app.app_context():
        answers = [app.test_client().get("/healthz").get_json()["checks"]["redis"] for _ in range(5)]
    assert all(answer.startswith("error") for answer in answers)  # (200 "degraded": only Redis is away)
    assert len(pools) == 1


@pytest.mark.redis
def test_health_opens_one_redis_connection_for_many_probes(tmp_path, redis_url, monkeypatch):
    import redis

    app = make_app(tmp_path, REDIS_URL=redis_url, REDIS_NAMESPACE="test", RATELIMIT_STORAGE_URI="memory://")
    opened: list[object] = []
    make_connection = redis.ConnectionPool.make_connection

    def spy(self):
        opened.append(self)
        return make_connection(self)

    monkeypatch.setattr(redis.ConnectionPool, "make_connection", spy)
    with app.app_context():
        bodies = [app.test_client().get("/healthz").get_json() for _ in range(10)]
    assert {body["checks"]["redis"] for body in bodies} == {"ok"}
    assert len(opened) == 1


def test_a_redis_url_without_a_namespace_stops_the_start_naming_the_setting(tmp_path):
    with pytest.raises(settings.ConfigError) as refused:
        settings.load_config(str(tmp_path), environ={"KIOSK_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert "KIOSK_REDIS_NAMESPACE" in str(refused.value)
    with pytest.raises(settings.ConfigError):
        create_app(test_config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"), instance_path=str(tmp_path / "i"))


def test_a_namespace_names_the_channel_and_limits_and_none_is_needed_without_redis(tmp_path):
    cfg = settings.load_config(str(tmp_path), environ={"KIOSK_REDIS_URL": "redis://127.0.0.1:6379/0",
                                              "KIOSK_REDIS_NAMESPACE": "bangtin-taphuan"})
    assert (cfg["REDIS_NAMESPACE"], cfg["RATELIMIT_KEY_PREFIX"]) == ("bangtin-taphuan", "bangtin-taphuan")
    assert settings.load_config(str(tmp_path), environ={})["RATELIMIT_STORAGE_URI"] == "memory://"


def _settings(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_production_example_names_its_redis_namespace():
    settings = _settings(ROOT / "deploy" / "kiosk.env.example")
    assert settings["KIOSK_REDIS_URL"] and settings["KIOSK_REDIS_NAMESPACE"]
