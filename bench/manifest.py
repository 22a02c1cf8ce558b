"""Manifest benchmark: 5,000 active notices across 200 communes.

Reports the time to build one kiosk's manifest cold (nothing cached, fresh session) and warm
(cached by version), and the throughput of `GET /kiosk/manifest` for 200 and 304 answers on one
server process (`python wsgi.py`, gevent), measured with wrk when it is installed.

    .venv/bin/python -m bench.manifest [--notices 5000] [--communes 200] [--database-url URL]

Targets (issue 3): cold build under 50 ms; 304 path over 2,000 requests/s on one process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCES = ("08", "04", "01")  # enough communes for 200 screens


def build_data(app, n_notices: int, n_communes: int, per_commune: int = 1) -> list[tuple[int, str]]:
    """Create communes' kiosks and published notices; return [(kiosk_id, token)]."""
    from sqlalchemy import select

    from kiosk_server.domain import schedule
    from kiosk_server.extensions import db
    from kiosk_server.models import Notice, NoticeRevision, NoticeTarget, Unit
    from kiosk_server.models.base import utcnow
    from kiosk_server.services.content import categories
    from kiosk_server.services.core import units, users
    from kiosk_server.services.screens import kiosks

    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        for code in PROVINCES:
            units.import_units(code, actor="bench")
        categories.ensure_defaults()
        author = users.create_user("bench@example.vn", "bench-password", "admin", None, actor="bench")
        communes = db.session.scalars(
            select(Unit.code).where(Unit.level == "commune").order_by(Unit.code).limit(n_communes)
        ).all()
        screens = [kiosks.provision_kiosk(f"Màn hình {c} số {n}", c, ["Trụ sở"], actor="bench")
                   for c in communes for n in range(per_commune)]
        now = utcnow()
        rows, revisions, targets = [], [], []
        for i in range(1, n_notices + 1):
            # 95% commune notices, 5% province-wide: what a province's week looks like.
            if i % 20 == 0:
                unit = db.session.get(Unit, communes[i % len(communes)]).parent_code
            else:
                unit = communes[i % len(communes)]
            rules = schedule.Rules(
                starts_at=now - timedelta(days=rng.randint(0, 5)),
                ends_at=now + timedelta(days=rng.randint(5, 60)),
                days=frozenset(rng.sample(range(1, 8), rng.randint(3, 7))) if i % 3 == 0 else frozenset(),
                hours=((time_of_day(7, 0), time_of_day(11, 30)), (time_of_day(13, 30), time_of_day(17, 0)))
                if i % 4 == 0 else (),
            )
            title = f"Thông báo số {i} về lịch tiếp công dân và thu gom rác thải"
            content = {
                "title": title,
                "body": "<p>" + "Nội dung thông báo của Ủy ban nhân dân. " * rng.randint(5, 40) + "</p>",
                "unit_code": unit, "category": "local",
                "priority": "priority" if i % 10 == 0 else "normal", "language": "vi", "translations": [],
                "duration_s": None, "media_ids": [], "qr_url": None,
                "targets": {"units": [unit], "groups": [], "kiosks": []},
                "rules": schedule.rules_to_json(rules),
            }
            rows.append({"id": i, "unit_code": unit, "author_id": author.id, "status": "published", "version": 1,
                         "published_version": 1, "title": title, "body": content["body"], "category": "local",
                         "priority": content["priority"], "language": "vi", "starts_at": rules.starts_at,
                         "ends_at": rules.ends_at, "approved_at": now, "created_at": now, "updated_at": now})
            revisions.append({"notice_id": i, "version": 1, "content": content, "created_at": now})
            targets.append({"notice_id": i, "kind": "unit", "ref": unit})
        db.session.execute(Notice.__table__.insert(), rows)
        db.session.execute(NoticeRevision.__table__.insert(), revisions)
        db.session.execute(NoticeTarget.__table__.insert(), targets)
        db.session.commit()
        return [(k.id, token) for k, token in screens]


def time_builds(app, kiosk_id: int, rounds: int = 30) -> dict:
    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk
    from kiosk_server.services.read_models import manifest

    cold, warm, sizes = [], [], []
    with app.app_context():
        for _ in range(rounds):
            db.session.remove()
            app.extensions.pop("manifest_cache", None)
            started = time.perf_counter()
            kiosk = db.session.get(Kiosk, kiosk_id)
            _, body = manifest.manifest_bytes(kiosk)
            cold.append((time.perf_counter() - started) * 1000)
            sizes.append(len(body))
            started = time.perf_counter()
            kiosk = db.session.get(Kiosk, kiosk_id)
            manifest.manifest_bytes(kiosk)
            warm.append((time.perf_counter() - started) * 1000)
        items = len(json.loads(body)["items"])
    return {
        "items_in_manifest": items,
        "manifest_bytes": sizes[-1],
        "cold_ms_median": round(statistics.median(cold), 2),
        "cold_ms_p95": round(sorted(cold)[int(len(cold) * 0.95) - 1], 2),
        "warm_ms_median": round(statistics.median(warm), 3),
    }


def _wait_ready(url: str, seconds: float = 20) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 (loopback URL we built)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


def _wrk(url: str, token: str, etag: str | None, seconds: int, connections: int = 32) -> dict:
    headers = ["-H", f"Authorization: Bearer {token}"]
    if etag:
        headers += ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    p50 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("50%")), "?")
    non2xx = next((line.split()[-1] for line in out.splitlines() if "Non-2xx" in line), "0")
    p99 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("99%")), "?")
    return {"connections": connections, "requests_per_s": round(rps), "latency_p50": p50, "latency_p99": p99,
            "non_2xx_or_3xx": non2xx}


def serve_and_load(instance: Path, db_url: str, token: str, seconds: int) -> dict:
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    port = 5180
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(instance), "KIOSK_DATABASE_URL": db_url,
           "KIOSK_BIND": f"127.0.0.1:{port}", "KIOSK_MEDIA_DIR": str(instance / "media")}
    server = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base + "/healthz")
        request = urllib.request.Request(  # noqa: S310 (loopback URL we built)
            base + "/kiosk/manifest", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            etag = response.headers["ETag"]
        _wrk(base + "/kiosk/manifest", token, etag, 2)  # warm-up: connections, caches, pool
        return {
            "full_200": _wrk(base + "/kiosk/manifest", token, None, seconds),
            "not_modified_304": [_wrk(base + "/kiosk/manifest", token, etag, seconds, c) for c in (8, 64)],
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def _server_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fetch_all(port: int, tokens: list[str], etags: dict[str, str] | None = None) -> tuple[dict[str, str], dict]:
    """GET every screen's manifest once over one keep-alive connection; return the ETags and the statuses."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seen: dict[str, str] = {}
    statuses: dict[int, int] = {}
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        if etags:
            headers["If-None-Match"] = etags[token]
        connection.request("GET", "/kiosk/manifest", headers=headers)
        response = connection.getresponse()
        response.read()
        seen[token] = response.headers["ETag"]
        statuses[response.status] = statuses.get(response.status, 0) + 1
    connection.close()
    return seen, statuses


def fetch_cpu(app, instance: Path, db_url: str, screens: list[tuple[int, str]]) -> dict:
    """Server CPU per manifest fetch, as every screen fetches once: first, after a change to all, and 304.

    Read from the server process's own CPU time (/proc), so the client's share is not counted; the
    fetches are sequential on one keep-alive connection, as one screen's are.
    """
    from bench.fanout import bump_all_manifests

    port = 5181
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(instance), "KIOSK_DATABASE_URL": db_url,
           "KIOSK_BIND": f"127.0.0.1:{port}", "KIOSK_MEDIA_DIR": str(instance / "media")}
    server = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tokens = [token for _, token in screens]
    figures = {"screens": len(tokens)}
    try:
        _wait_ready(f"http://127.0.0.1:{port}/healthz")
        rounds = [("first_fetch_ms", None), ("after_a_change_ms", "bump"), ("not_modified_304_ms", "same")]
        etags: dict[str, str] = {}
        for name, before in rounds:
            if before == "bump":
                bump_all_manifests(app)
            time.sleep(6)  # the presence flush of the previous round is not this round's cost
            started = _server_cpu_s(server.pid)
            wall = time.perf_counter()
            etags, statuses = _fetch_all(port, tokens, etags if before == "same" else None)
            figures[name] = round((_server_cpu_s(server.pid) - started) * 1000 / len(tokens), 2)
            figures[name.replace("_ms", "_per_s_one_connection")] = round(len(tokens) / (time.perf_counter() - wall))
            figures[name.replace("_ms", "_statuses")] = statuses
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--seconds", type=int, default=10, help="load duration per wrk run")
    parser.add_argument("--screens-per-commune", type=int, default=1)
    parser.add_argument("--fetch-cpu-only", action="store_true",
                        help="only the server CPU per fetch, every screen fetching once (issue 22)")
    args = parser.parse_args()

    from kiosk_server import create_app

    instance = Path(tempfile.mkdtemp(prefix="bench-manifest-"))
    db_url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    app = create_app({"DATABASE_URL": db_url, "MEDIA_DIR": str(instance / "media"),
                      "SOCKETIO_ASYNC_MODE": "threading", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
                     instance_path=str(instance))
    started = time.perf_counter()
    screens = build_data(app, args.notices, args.communes, args.screens_per_commune)
    setup_s = time.perf_counter() - started
    if args.fetch_cpu_only:
        result = {"notices": args.notices, "communes": args.communes, "database": db_url.split(":", 1)[0],
                  "fetch_cpu": fetch_cpu(app, instance, db_url, screens)}
        print(json.dumps(result, ensure_ascii=False, indent=2))
        shutil.rmtree(instance, ignore_errors=True)
        return
    kiosk_id, token = screens[0]
    result = {
        "notices": args.notices, "communes": args.communes,
        "database": db_url.split(":", 1)[0], "setup_s": round(setup_s, 1),
        "build": time_builds(app, kiosk_id),
        "http": serve_and_load(instance, db_url, token, args.seconds),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
