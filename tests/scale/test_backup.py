"""deploy/backup.sh and the README's restore commands: a backup of a live server comes back whole.

A server (`python wsgi.py` on PostgreSQL) gets a notice with an image, an alert and a screen; the
script backs it up while it runs; the backup is restored, with the commands README.md § Backups
gives, into a second fresh database and fresh folders, and a server started on that copy answers
as the first did: the same notice and media bytes on the screen's manifest, the same alert, the
officers' API tokens and their signed-in browser sessions (the instance folder's secret key).
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_database
from tests.e2e.conftest import COMMUNE, ROOT
from tests.media_factory import png
from tests.scale.conftest import ClusterServer, make_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BACKUP = ROOT / "deploy" / "backup.sh"
# The instance folder's key signs sessions: an empty KIOSK_SECRET_KEY makes the server use it, as in production.
FROM_INSTANCE = {"KIOSK_SECRET_KEY": ""}


@pytest.fixture
def second_postgres_url():
    """Another fresh, empty PostgreSQL database (the restore target); dropped afterwards."""
    for tool in ("pg_dump", "pg_restore", "rsync"):
        if shutil.which(tool) is None:
            message = f"{tool} is missing: apt-get install postgresql-client rsync"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    with fresh_postgres_database() as url:
        yield url


def libpq(url: str) -> str:
    """Return the SQLAlchemy URL as pg_restore takes it (no driver name)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(extra)
    return env


def run(*command: str | Path, **extra_env: str) -> str:
    done = subprocess.run([str(c) for c in command], cwd=ROOT, env=clean_env(**extra_env), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=15) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 to /login is an answer to look at, not to follow


def browser_with(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def signed_in_browser(server: ClusterServer, email: str) -> http.cookiejar.CookieJar:
    """Sign in through the form; return the browser's cookies."""
    jar = http.cookiejar.CookieJar()
    browser = browser_with(jar)
    page = browser.open(f"{server.url}/login", timeout=15).read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": "password-123", "csrf_token": csrf}).encode()
    try:
        browser.open(f"{server.url}/login", data=form, timeout=15)
    except urllib.error.HTTPError as error:
        assert error.code == 302, f"sign-in failed: {error.code}"
    return jar


def dashboard_status(jar: http.cookiejar.CookieJar, server: ClusterServer) -> int:
    """Return the status of the officer's dashboard for a browser holding `jar`: 200, or 302 to sign in."""
    try:
        with browser_with(jar).open(f"{server.url}/admin/", timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_backup_restored_into_a_fresh_database_serves_the_same_notices_media_alerts_and_tokens(
        tmp_path, postgres_url, second_postgres_url, redis_url):
    source = make_cluster(tmp_path / "source", postgres_url, redis_url, count=1, extra_env=FROM_INSTANCE)[0]
    source.start()
    try:
        media = source.upload("lich-tiem-chung.png", png(320, 200), "image/png")
        notice = source.publish("Lịch tiêm chủng tháng 12", media_ids=[media["id"]])
        expires = datetime.now(UTC) + timedelta(hours=6)
        alert = source.ok("POST", "/api/v1/alerts", "approver", {
            "headline": "Lũ trên sông Lô", "hazard": "flood", "level": 3, "unit_codes": [COMMUNE],
            "expires_at": expires.isoformat()})
        _, kiosk_token = source.provision()
        status, original_bytes = get(f"{source.url}{media['url']}")
        assert status == 200 and hashlib.sha256(original_bytes).hexdigest() == media["sha256"]
        cookies = signed_in_browser(source, "xa@example.vn")
        assert dashboard_status(cookies, source) == 200
        assert dashboard_status(http.cookiejar.CookieJar(), source) == 302
        # A citizen's photo in the private store (by default inside the instance folder).
        photo = source.root / "instance" / "feedback-photos" / "ab" / ("ab" + "0" * 62)
        photo.parent.mkdir(parents=True)
        photo.write_bytes(b"citizen photo")

        env_file = tmp_path / "kiosk.env"
        env_file.write_text(
            "# as /etc/bangtin/kiosk.env\n"
            f"KIOSK_DATABASE_URL={postgres_url}\n"
            f"KIOSK_MEDIA_DIR={source.media_dir}\n"
            f"KIOSK_INSTANCE_PATH={source.root / 'instance'}\n"
            "KIOSK_PROXIES=1\n", encoding="utf-8")
        backups = tmp_path / "backups"
        expired = backups / "2020-01-01T000000"
        expired.mkdir(parents=True)
        (backups / "keep-me").mkdir()
        first = Path(run("bash", BACKUP, "--env-file", env_file, "--keep", "3", backups).splitlines()[-1])
        time.sleep(1.1)  # folders are named by the second
        second = Path(run("bash", BACKUP, "--env-file", env_file, "--keep", "3", backups).splitlines()[-1])
    finally:
        source.stop()

    # Each run is a complete folder; the second links the media it shares with the first.
    assert first != second and first.parent == second.parent == backups
    assert sorted(p.name for p in second.iterdir()) == [
        "database.dump", "feedback-photos", "instance.tar.gz", "kiosk.env", "media"]
    stored = second / "media" / media["sha256"][:2] / media["sha256"]
    assert stored.stat().st_ino == (first / "media" / media["sha256"][:2] / media["sha256"]).stat().st_ino
    assert not list(backups.glob(".partial-*"))
    assert not expired.exists() and (backups / "keep-me").is_dir()  # retention touches dated folders only

    # The restore, as README.md § Backups gives it, into a fresh database and fresh folders.
    restored = ClusterServer(tmp_path / "restored", database_url=second_postgres_url, redis_url=redis_url,
                             media_dir=tmp_path / "restored" / "media", extra_env=FROM_INSTANCE)
    instance = restored.root / "instance"
    instance.mkdir(parents=True)
    run("pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq(second_postgres_url), second / "database.dump")
    run("rsync", "-a", f"{second / 'media'}/", f"{restored.media_dir}/")
    run("tar", "-xzf", second / "instance.tar.gz", "-C", instance)
    run("rsync", "-a", f"{second / 'feedback-photos'}/", f"{instance / 'feedback-photos'}/")
    run(sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade",
        KIOSK_DATABASE_URL=second_postgres_url, KIOSK_INSTANCE_PATH=str(instance),
        KIOSK_MEDIA_DIR=str(restored.media_dir))
    assert (instance / "secret_key").read_text() == (source.root / "instance" / "secret_key").read_text()
    assert (instance / "feedback-photos" / "ab" / photo.name).read_bytes() == b"citizen photo"

    restored.tokens = dict(source.tokens)
    restored.start()
    try:
        assert get(f"{restored.url}/healthz")[0] == 200
        # The officers' API tokens still work.
        answer = restored.ok("GET", f"/api/v1/notices/{notice['id']}", "editor")
        assert answer["title"] == "Lịch tiêm chủng tháng 12" and answer["status"] == "published"
        assert restored.ok("GET", f"/api/v1/alerts/{alert['id']}", "approver")["headline"] == "Lũ trên sông Lô"

        # The screen's manifest: the notice with its image, and the alert in force.
        status, raw = get(f"{restored.url}/kiosk/manifest", kiosk_token)
        assert status == 200, raw
        manifest = json.loads(raw)
        item = next(i for i in manifest["items"] if i["notice_id"] == notice["id"])
        assert [m["sha256"] for m in item["media"]] == [media["sha256"]]
        assert alert["id"] in [a["id"] for a in manifest["alerts"]]
        status, restored_bytes = get(f"{restored.url}{item['media'][0]['url']}")
        assert status == 200 and restored_bytes == original_bytes
        assert hashlib.sha256(restored_bytes).hexdigest() == media["sha256"]

        # An officer signed in before the backup stays signed in: the session key came back too.
        assert dashboard_status(cookies, restored) == 200
    finally:
        restored.stop()
