"""Alert fan-out benchmark: N simulated kiosks on one server process, one alert, time to every screen.

Provisions N kiosks, starts `python wsgi.py` (gevent, one process), connects N python-socketio
clients spread over several client processes, raises an alert through the API and measures, for
each kiosk, the time from the API call to the `alert` event, then the time until every `alert_ack`
is recorded in the database. Reports p50/p99/max and the server's resident memory.

    .venv/bin/python -m bench.fanout --kiosks 1000 --procs 4
    .venv/bin/python -m bench.fanout --kiosks 3000 --procs 6

Target (issue 5): p99 under 1 s at 3,000 kiosks with every ack recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VN = timezone(timedelta(hours=7))


def prepare(instance: Path, n: int) -> tuple[list[str], str]:
    """Create the schema, n kiosks in one commune and an approver; return kiosk tokens and an API token."""
    from flask_migrate import upgrade

    from kiosk_server import create_app
    from kiosk_server.domain import secrets as token_rules
    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk
    from kiosk_server.services import tokens, units, users

    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'bench.db'}", "SOCKETIO_ASYNC_MODE": "threading",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, instance_path=str(instance))
    with app.app_context():
        upgrade()
        units.import_units("08", actor="bench")
        officer = users.create_user("bench@example.vn", "bench-password", "approver", "08", actor="bench")
        api_token = tokens.create_token(officer, "bench")[1]
        plain = [token_rules.new_token(token_rules.KIOSK_TOKEN_PREFIX) for _ in range(n)]
        db.session.execute(Kiosk.__table__.insert(), [
            {"name": f"Màn hình {i}", "unit_code": "02215", "token_hash": token_rules.token_hash(t), "theme": "default",
             "manifest_version": 0, "connected": False, "created_at": datetime.now(VN)}
            for i, t in enumerate(plain)])
        db.session.commit()
    return plain, api_token


def client_process(url: str, tokens: list[str], ready, go, results, connect_rate: float) -> None:
    """Connect one socket per token; on `alert`, note the time and ack; report the times."""
    import socketio

    async def run() -> None:
        received: list[float] = []
        clients = []

        async def one(token: str) -> None:
            sio = socketio.AsyncClient(reconnection=False)

            @sio.on("alert", namespace="/kiosk")
            async def on_alert(data):
                received.append(time.time())
                await sio.emit("alert_ack", {"id": data["id"]}, namespace="/kiosk")

            await sio.connect(url, namespaces=["/kiosk"], transports=["websocket"], auth={"token": token},
                              wait_timeout=30)
            clients.append(sio)

        for start in range(0, len(tokens), 50):
            await asyncio.gather(*(one(t) for t in tokens[start:start + 50]))
            await asyncio.sleep(50 / connect_rate)
        ready.put(len(clients))
        while not go.is_set():
            await asyncio.sleep(0.05)
        deadline = time.time() + 30
        while len(received) < len(clients) and time.time() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # let the acks leave
        results.put(received)
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    asyncio.run(run())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def api(base: str, path: str, token: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method="POST" if body is not None else "GET",  # noqa: S310
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback URL we built)
        return json.loads(response.read())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--port", type=int, default=5190)
    parser.add_argument("--connect-rate", type=float, default=400.0, help="connections per second per process")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    kiosk_tokens, api_token = prepare(instance, args.kiosks)
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(instance), "KIOSK_DATABASE_URL": f"sqlite:///{instance / 'bench.db'}",
           "KIOSK_BIND": f"127.0.0.1:{args.port}", "KIOSK_MEDIA_DIR": str(instance / "media")}
    server = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        rss_idle = rss_mb(server.pid)
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        chunks = [kiosk_tokens[i::args.procs] for i in range(args.procs)]
        started = time.time()
        procs = [ctx.Process(target=client_process, args=(base, chunk, ready, go, results, args.connect_rate))
                 for chunk in chunks]
        for p in procs:
            p.start()
        connected = sum(ready.get(timeout=600) for _ in procs)
        connect_s = time.time() - started
        time.sleep(2)
        rss_connected = rss_mb(server.pid)

        expires = (datetime.now(VN) + timedelta(hours=1)).replace(microsecond=0).isoformat()
        go.set()
        t0 = time.time()
        alert = api(base, "/api/v1/alerts", api_token, {
            "headline": "Bài kiểm tra lan tỏa cảnh báo", "hazard": "flash_flood", "level": 4,
            "unit_codes": ["02215"], "expires_at": expires})
        api_s = time.time() - t0
        received = []
        for _ in procs:
            received += results.get(timeout=120)
        latencies = [t - t0 for t in received]
        acks = 0
        deadline = time.time() + 60
        while time.time() < deadline:
            acks = len(api(base, f"/api/v1/alerts/{alert['id']}", api_token)["acks"])
            if acks >= connected:
                break
            time.sleep(0.1)
        last_ack_s = time.time() - t0
        for p in procs:
            p.join(timeout=30)
        result = {
            "kiosks": args.kiosks, "client_processes": args.procs, "connected": connected,
            "connect_all_s": round(connect_s, 1), "api_call_s": round(api_s, 3),
            "received": len(latencies),
            "latency_s": {"p50": round(statistics.median(latencies), 3), "p99": round(percentile(latencies, 99), 3),
                          "max": round(max(latencies), 3)} if latencies else None,
            "acks_recorded": acks, "all_acks_by_s": round(last_ack_s, 2),
            "server_rss_mb": {"idle": rss_idle, "connected": rss_connected, "after_alert": rss_mb(server.pid)},
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
