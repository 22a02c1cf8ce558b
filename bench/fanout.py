"""Alert fan-out and reconnect-storm benchmark: N simulated kiosks on one or several server processes.

Provisions N kiosks, starts `python wsgi.py` (gevent) once per server process, on SQLite (one
process) or on PostgreSQL with Redis as the Socket.IO message queue, optionally behind the project's
own deploy/nginx.conf, and connects N python-socketio clients spread over several client processes.
The clients behave as the player does (kiosk_client/player/sync.js, net.js): `hello {version}` on
every connect, `GET /kiosk/manifest` with `If-None-Match` when a `manifest` event names a version
they do not hold, `alert_ack` sent with a callback and counted as confirmed only when the server
answers `{"ok": true}`, and, when the connection drops, socket.io-client's jittered backoff.

Scenarios:
- `fanout`: an alert is raised through the API; for each kiosk, the time from the API call to its
  `alert` event, the time until its ack is confirmed, and the time until the last receipt is in the
  database. With `--floor`, the same clients then get the same broadcast from bench/floor.py (a bare
  asyncio `websockets` server) in the same places, for a lower bound.
- `storm`: every server process is killed at once and started again while every manifest changed;
  the time until every screen is connected and holds the new manifest version, and how many
  `GET /kiosk/manifest` per second that caused (counted by the clients).

    .venv/bin/python -m bench.fanout --kiosks 1000 --procs 4                       # SQLite, one process
    .venv/bin/python -m bench.fanout --kiosks 10000 --servers 2 --database postgresql --nginx --floor
    .venv/bin/python -m bench.fanout --kiosks 10000 --servers 2 --database postgresql --nginx --scenario storm

Targets (issues 5 and 11): p99 under 1 s with every ack recorded; under 60 MB of server memory per
1,000 screens; p99 at most 1.5x the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import json
import multiprocessing as mp
import os
import random
import resource
import secrets
import shutil
import signal
import ssl
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
COMMUNE = "02215"
NAMESPACE = "/kiosk"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_fanout"
REDIS_URL = "redis://127.0.0.1:6379/11"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_open_files(limit: int = 65536) -> int:
    """Raise this process's open-files limit (children inherit it); return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:  # root may raise the hard limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(limit, soft), max(limit, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the database ------------------------------------------------------------------------------


def _postgres_admin(url: str, statement: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port or 5432, user=parts.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(statement.format(name=parts.database))


def create_postgres(url: str) -> None:
    _postgres_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_admin(url, 'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    _postgres_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_kiosks(app, n: int) -> list[tuple[str, str]]:
    """Insert n kiosks in one commune; return (token, ETag of its current manifest) for each."""
    from sqlalchemy import select

    from kiosk_server.domain import secrets as token_rules
    from kiosk_server.domain.targeting import manifest_etag
    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk

    with app.app_context():
        plain = [token_rules.new_token(token_rules.KIOSK_TOKEN_PREFIX) for _ in range(n)]
        db.session.execute(Kiosk.__table__.insert(), [
            {"name": f"Màn hình {i}", "unit_code": COMMUNE, "token_hash": token_rules.token_hash(t), "theme": "default",
             "manifest_version": 0, "connected": False, "created_at": datetime.now(VN)}
            for i, t in enumerate(plain)])
        db.session.commit()
        ids = dict(db.session.execute(select(Kiosk.token_hash, Kiosk.id)).all())
        db.session.remove()
    return [(t, manifest_etag(ids[token_rules.token_hash(t)], 0)) for t in plain]


def bump_all_manifests(app) -> None:
    """Change every kiosk's manifest version, as a publish to every screen would."""
    from sqlalchemy import update

    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk

    with app.app_context():
        db.session.execute(update(Kiosk).values(manifest_version=Kiosk.manifest_version + 1))
        db.session.commit()
        db.session.remove()


def acks_in_database(app, alert_id: int) -> tuple[int, datetime | None]:
    """Return how many receipts of the alert are stored and when the last one was written."""
    from sqlalchemy import func, select

    from kiosk_server.extensions import db
    from kiosk_server.models import AlertAck

    with app.app_context():
        count, last = db.session.execute(
            select(func.count(AlertAck.id), func.max(AlertAck.at)).where(AlertAck.alert_id == alert_id)).one()
        db.session.remove()
    return count, last


# --- measuring processes -----------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) the process has used so far, 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """Return (busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuWindow:
    """CPU seconds used by groups of processes, and the machine's busy share, between start() and stop()."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups

    def start(self) -> None:
        self.t = time.time()
        self.before = {name: sum(cpu_s(p) for p in pids) for name, pids in self.groups.items()}
        self.machine = machine_busy()

    def stop(self) -> dict:
        wall = time.time() - self.t
        busy, total = machine_busy()
        used = {name: round(sum(cpu_s(p) for p in pids) - self.before.get(name, 0.0), 2) for name, pids in self.groups.items()}
        return {"window_s": round(wall, 2), "cpu_s": used,
                "machine_busy_pct": round(100 * (busy - self.machine[0]) / max(1, total - self.machine[1]), 1)}


def established(port: int) -> int:
    """Return how many established TCP connections a local listening port holds."""
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=False).stdout
    return len(out.splitlines())


def gc_seconds(port: int) -> float:
    """Return the seconds process `port` has spent in the garbage collector (`bangtin_gc_seconds_total`)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("bangtin_gc_seconds_total"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"p50": round(statistics.median(values), 3), "p99": round(percentile(values, 99), 3),
            "max": round(max(values), 3)}


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tls_context(cafile: str | None) -> ssl.SSLContext | None:
    """Return a context trusting the test certificate nginx serves (deploy/nginx.conf is https-only)."""
    return ssl.create_default_context(cafile=cafile) if cafile else None


def http_json(url: str, token: str | None = None, body: dict | None = None, timeout: float = 60,
              cafile: str | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",  # noqa: S310
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=timeout, context=tls_context(cafile)) as response:  # noqa: S310
        return json.loads(response.read())


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer /healthz within {timeout} s")


def ip_hash_peer(octets: tuple[int, int, int], peers: int) -> int:
    """Return the upstream nginx's `ip_hash` picks for a client address (first three octets, equal weights)."""
    value = 89
    for octet in octets:
        value = (value * 113 + octet) % 6271
    return value % peers


def client_addresses(procs: int, peers: int) -> list[str]:
    """Return a loopback source address per client process, so that nginx's ip_hash spreads them evenly.

    Every simulated screen comes from 127.0.0.1 otherwise, and ip_hash (by the first three octets)
    would send them all to one server process; real screens come from many addresses.
    """
    free = {peer: [o for o in range(1, 255) if ip_hash_peer((127, 0, o), peers) == peer] for peer in range(peers)}
    return [f"127.0.{free[k % peers][k // peers]}.1" for k in range(procs)]


# --- simulated screens (in the client processes) -----------------------------------------------


def socketio_backoff(attempt: int) -> float:
    """Return seconds before reconnection `attempt` as socket.io-client's Backoff computes it.

    net.js sets reconnectionDelay 1000, reconnectionDelayMax 60000, randomizationFactor 0.5.
    """
    ms = 1000 * 2 ** min(attempt, 32)
    rand = random.random()
    deviation = int(rand * 0.5 * ms)
    ms = ms - deviation if int(rand * 10) & 1 == 0 else ms + deviation
    return min(ms, 60000) / 1000


def manifest_backoff(attempt: int) -> float:
    """Return seconds before manifest retry `attempt`, as backoff.js's backoffDelay computes it."""
    ceiling = min(60000, 1000 * 2 ** min(attempt, 64))
    return ceiling * (1 - 0.5 * random.random()) / 1000


class Screens:
    """This client process's simulated screens and what they saw."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.closing = False
        self.watching = False
        self.manifest_requests: list[tuple[float, int]] = []  # (time, status; 0 for a network error)
        self.connect_attempts: list[float] = []
        self.connect_errors: dict[str, int] = {}
        self.lag_max = 0.0


class Screen:
    def __init__(self, group: Screens, session, token: str, url: str, etag: str) -> None:
        import socketio

        self.group, self.session, self.token, self.url, self.etag = group, session, token, url, etag
        self.version = 0
        self.manifest_at: float | None = None  # when it got the manifest the alert changed
        self.spreading = False
        self.alert_at: float | None = None
        self.confirmed_at: float | None = None
        self.dropped_at: float | None = None
        self.back_at: float | None = None
        self.current_at: float | None = None
        self.fetching = False
        self.again = False
        self.sio = socketio.AsyncClient(reconnection=False, http_session=session)
        self.sio.on("connect", self.on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        self.sio.on("manifest", self.on_manifest, namespace=NAMESPACE)
        self.sio.on("alert", self.on_alert, namespace=NAMESPACE)

    async def connect(self) -> None:
        await self.sio.connect(self.url, namespaces=[NAMESPACE], transports=["websocket"],
                               auth={"token": self.token}, wait_timeout=20)

    async def on_connect(self) -> None:
        if self.group.watching and self.dropped_at is not None and self.back_at is None:
            self.back_at = time.time()
        await self.sio.emit("hello", {"version": self.version}, namespace=NAMESPACE)

    async def on_disconnect(self, reason=None) -> None:
        if self.group.closing:
            return
        if self.dropped_at is None and self.group.watching:
            self.dropped_at = time.time()
        asyncio.get_running_loop().create_task(self.reconnect())

    async def reconnect(self) -> None:
        """Come back as socket.io-client does after a lost connection: jittered exponential backoff."""
        attempt = 0
        while not self.group.closing:
            await asyncio.sleep(socketio_backoff(attempt))
            attempt += 1
            if self.group.closing or self.sio.connected:
                return
            if self.group.watching:  # not the connect phase's own retries
                self.group.connect_attempts.append(time.time())
            try:
                await self.connect()
                return
            except Exception as error:
                key = f"{type(error).__name__}: {str(error)[:80]}"
                self.group.connect_errors[key] = self.group.connect_errors.get(key, 0) + 1
                try:
                    await self.sio.disconnect()
                except Exception:  # noqa: S110
                    pass
                continue

    async def on_manifest(self, data=None) -> None:
        if not self.group.cfg["fetch_manifest"]:
            return
        if isinstance(data, dict) and data.get("version") != self.version:
            spread = data.get("spread_s") or 0
            if spread > 0:  # as sync.js refreshWithin: a random moment within the spread, once
                if self.spreading:
                    return
                self.spreading = True
                await asyncio.sleep(random.random() * min(spread, 300))
                self.spreading = False
            await self.refresh()

    async def refresh(self) -> None:
        """Fetch the manifest one request at a time, as Sync.refresh does; retry with backoff.js's delays."""
        if self.fetching:
            self.again = True
            return
        self.fetching = True
        attempt = 0
        try:
            while not self.group.closing:
                headers = {"Authorization": f"Bearer {self.token}", "If-None-Match": self.etag}
                status = 0
                started = time.time()
                try:
                    async with self.session.get(self.url + "/kiosk/manifest", headers=headers,
                                                timeout=_timeout(20)) as response:
                        status = response.status
                        if status == 200:
                            body = await response.json()
                            self.version = body["version"]
                            if self.group.watching:
                                self.manifest_at = time.time()
                            self.etag = response.headers.get("ETag", self.etag)
                        else:
                            await response.read()
                except Exception:  # noqa: S110 - a network error counts as status 0 and is retried
                    pass
                if self.group.watching:
                    self.group.manifest_requests.append((started, status))
                if status not in (200, 304):
                    await asyncio.sleep(manifest_backoff(attempt))
                    attempt += 1
                    continue
                self.note_current()
                if not self.again:
                    return
                self.again = False
        finally:
            self.fetching = False

    def note_current(self) -> None:
        target = self.group.cfg.get("target_version")
        if target is not None and self.version >= target and self.current_at is None:
            self.current_at = time.time()

    async def on_alert(self, data=None) -> None:
        if not isinstance(data, dict) or data.get("headline") != self.group.cfg["headline"]:
            return  # another alert (an engineer's test on the same Redis channel), not ours
        if self.alert_at is None:
            self.alert_at = time.time()
        asyncio.get_running_loop().create_task(self.ack(data["id"]))

    async def ack(self, alert_id: int) -> None:
        """Send the receipt until the server confirms it is stored, as the player does."""
        while not self.group.closing and self.confirmed_at is None:
            try:
                answer = await self.sio.call("alert_ack", {"id": alert_id}, namespace=NAMESPACE, timeout=15)
                if isinstance(answer, dict) and answer.get("ok"):
                    self.confirmed_at = time.time()
                    return
            except Exception:  # noqa: S110 - not connected or no answer: send again
                pass
            await asyncio.sleep(1 + random.random())


def _timeout(seconds: float):
    import aiohttp

    return aiohttp.ClientTimeout(total=seconds)


async def _watch_lag(group: Screens) -> None:
    """Note the worst event-loop delay while watching: a late loop would make receipts look late."""
    loop = asyncio.get_running_loop()
    while not group.closing:
        before = loop.time()
        await asyncio.sleep(0.01)
        if group.watching:
            group.lag_max = max(group.lag_max, loop.time() - before - 0.01)


async def _run_clients(cfg: dict, ready, go, results) -> None:
    import aiohttp

    group = Screens(cfg)
    connector = aiohttp.TCPConnector(limit=0, local_addr=(cfg["local_addr"], 0),
                                     ssl=tls_context(cfg["cafile"]) or True)
    session = aiohttp.ClientSession(connector=connector)
    screens = [Screen(group, session, token, url, etag) for token, url, etag in cfg["screens"]]
    started = time.time()
    failed = 0
    reasons: collections.Counter[str] = collections.Counter()  # why connects failed, so a run can tell
    batch = 50
    for start in range(0, len(screens), batch):
        outcomes = await asyncio.gather(*(s.connect() for s in screens[start:start + batch]), return_exceptions=True)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        failed += len(errors)
        reasons.update(f"{type(e).__name__}: {e}"[:160] for e in errors)
        await asyncio.sleep(batch / cfg["connect_rate"])
    lag = asyncio.get_running_loop().create_task(_watch_lag(group))
    ready.put({"pid": os.getpid(), "connected": sum(1 for s in screens if s.sio.connected), "failed": failed,
               "failed_why": dict(reasons.most_common(5)),
               "connect_s": round(time.time() - started, 1)})
    while not go.is_set():
        await asyncio.sleep(0.02)
    group.watching = True
    deadline = time.time() + cfg["timeout"]
    if cfg["scenario"] == "fanout":
        expected = [s for s in screens if s.sio.connected]
        while time.time() < deadline and any(s.confirmed_at is None for s in expected):
            await asyncio.sleep(0.05)
        if cfg["fetch_manifest"]:
            # The alert's manifest nudge follows it by ALERT_MANIFEST_DELAY_S: wait until every screen
            # holds a newer manifest than before the alert, so the herd of fetches is measured too.
            while time.time() < deadline and any(s.version == 0 for s in expected):
                await asyncio.sleep(0.05)
        while time.time() < deadline and any(s.fetching for s in screens):
            await asyncio.sleep(0.05)
    else:
        while time.time() < deadline and any(s.current_at is None or not s.sio.connected for s in screens):
            await asyncio.sleep(0.1)
    group.watching = False
    results.put({
        "pid": os.getpid(),
        "alert_at": [s.alert_at for s in screens if s.alert_at],
        "confirmed_at": [s.confirmed_at for s in screens if s.confirmed_at],
        "manifest_at": [s.manifest_at for s in screens if s.manifest_at],
        "back_at": [s.back_at for s in screens if s.back_at],
        "current_at": [s.current_at for s in screens if s.current_at],
        "not_current": sum(1 for s in screens if s.current_at is None or not s.sio.connected),
        "manifest_requests": group.manifest_requests,
        "connect_attempts": group.connect_attempts,
        "connect_errors": group.connect_errors,
        "lag_max_s": round(group.lag_max, 3),
    })
    group.closing = True
    lag.cancel()
    await asyncio.gather(*(s.sio.disconnect() for s in screens), return_exceptions=True)
    await session.close()


def client_process(cfg: dict, ready, go, results) -> None:
    raise_open_files()
    asyncio.run(_run_clients(cfg, ready, go, results))


# --- running servers ---------------------------------------------------------------------------


class Bench:
    """The servers (and nginx) under test, their database, and the simulated screens' processes."""

    def __init__(self, args, root: Path) -> None:
        from tests.e2e.conftest import Server
        from tests.scale.conftest import make_cluster

        self.args, self.root = args, root
        self.postgres = args.database == "postgresql"
        if self.postgres:
            create_postgres(args.postgres_url)
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
            self.servers = make_cluster(root, args.postgres_url, args.redis_url, count=args.servers).servers
        else:
            if args.servers != 1:
                raise SystemExit("SQLite serves one process: use --database postgresql for --servers > 1")
            self.servers = [Server(root / "p0")]
            self.servers[0].root.mkdir(parents=True)
            self.servers[0].prepare()
        self.app = self.servers[0].app()
        self.kiosks = add_kiosks(self.app, args.kiosks)
        self.nginx = None
        self.floors: list[subprocess.Popen] = []
        self.ports = [s.port for s in self.servers]
        if args.nginx:
            from tests.scale.nginx import Nginx

            # Room for a websocket and a manifest request per screen, each of them proxied (two connections).
            # One worker holds two files per websocket and per manifest request; past the machine's
            # hard limit on open files (20,000 here) a second worker holds half of them.
            limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            workers = max(1, -(-(4 * args.kiosks + 1024) // max(limit - 1024, 1)))
            self.nginx = Nginx(root / "nginx", self.ports, root / "media", worker_connections=4 * args.kiosks + 1024,
                               workers=workers)
            self.nginx.start()

    @property
    def cafile(self) -> str | None:
        return str(self.nginx.cert) if self.nginx and self.nginx.tls else None

    @property
    def targets(self) -> list[str]:
        """Where screens connect: nginx, or each process in turn."""
        return [self.nginx.url] if self.nginx else [f"http://127.0.0.1:{p}" for p in self.ports]

    def start_servers(self) -> None:
        for server in self.servers:
            server.start()

    def start_floor(self) -> None:
        self.floors = [subprocess.Popen([sys.executable, "-m", "bench.floor", "--port", str(p)], cwd=ROOT)
                       for p in self.ports]
        for port in self.ports:
            wait_healthy(f"http://127.0.0.1:{port}")

    @property
    def server_pids(self) -> list[int]:
        if self.floors:
            return [p.pid for p in self.floors]
        return [s.proc.pid for s in self.servers if s.proc]

    def profile(self, name: str):
        """Start sampling server process 0 (`--profile`); return the running Profile, or None."""
        if not self.args.profile or self.floors:
            return None
        from bench.profile import Profile

        profile = Profile(self.server_pids[0], self.args.profile / f"{name}.txt", native=self.args.profile_native)
        profile.start()
        return profile

    def nginx_pids(self) -> list[int]:
        return [self.nginx.proc.pid, *children(self.nginx.proc.pid)] if self.nginx and self.nginx.proc else []

    def clients(self, scenario: str, headline: str, target_version: int | None = None):
        """Start the client processes; return (processes, ready, go, results) once all have connected."""
        args = self.args
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        targets = self.targets
        screens = [(token, targets[i % len(targets)], etag) for i, (token, etag) in enumerate(self.kiosks)]
        addresses = client_addresses(args.procs, max(1, len(self.ports)))
        procs = []
        for k in range(args.procs):
            cfg = {"scenario": scenario, "screens": screens[k::args.procs], "local_addr": addresses[k],
                   "connect_rate": args.connect_rate, "headline": headline, "fetch_manifest": not args.no_manifest,
                   "target_version": target_version, "timeout": args.timeout, "cafile": self.cafile}
            procs.append(ctx.Process(target=client_process, args=(cfg, ready, go, results), daemon=True))
        for p in procs:
            p.start()
        reports = [ready.get(timeout=1800) for _ in procs]
        return procs, reports, go, results

    def nginx_errors(self) -> dict[str, int]:
        """Return how often nginx logged the errors that turn screens away (502s while processes are down)."""
        if not self.nginx:
            return {}
        log = (self.nginx.root / "error.log").read_text(errors="replace")
        return {key: log.count(key) for key in ("no live upstreams", "Connection refused", "upstream prematurely")}

    def close(self) -> None:
        for proc in self.floors:
            proc.terminate()
            proc.wait(10)
        for server in self.servers:
            server.stop()
        if self.nginx:
            self.nginx.stop()
        if self.postgres:
            from kiosk_server.extensions import db

            with self.app.app_context():
                db.engine.dispose()
            drop_postgres(self.args.postgres_url)
            import redis

            redis.Redis.from_url(self.args.redis_url).flushdb()


def connect_phase(bench: Bench, scenario: str, headline: str, target_version: int | None = None) -> dict:
    """Measure idle memory, connect every screen, measure again; return the figures and the client handles."""
    idle = [rss_mb(p) for p in bench.server_pids]
    window = CpuWindow({"servers": bench.server_pids, "nginx": bench.nginx_pids()})
    profile = bench.profile("connect")
    window.start()
    procs, reports, go, results = bench.clients(scenario, headline, target_version)
    profiled = profile.stop() if profile else None
    window.groups["clients"] = [r["pid"] for r in reports]
    time.sleep(3)
    connected = [rss_mb(p) for p in bench.server_pids]
    per_port = [established(p) for p in bench.ports]
    per_1000 = [round((c - i) / (n / 1000), 1) if n else None for i, c, n in zip(idle, connected, per_port, strict=True)]
    return {
        "handles": (procs, reports, go, results),
        "figures": {
            "connected": sum(r["connected"] for r in reports), "connect_failed": sum(r["failed"] for r in reports),
            "connect_failed_why": [r["failed_why"] for r in reports if r.get("failed_why")],
            "connect_all_s": max(r["connect_s"] for r in reports),
            "connections_per_server": per_port,
            "server_rss_mb": {"idle": idle, "connected": connected, "per_1000_connections": per_1000},
            "connect_cpu": window.stop(),
            **({"profile_connect": profiled} if profiled else {}),
        },
    }


def fanout_round(bench: Bench, floor: bool = False) -> dict:
    """Connect every screen, raise one alert (or the floor's broadcast) and time it to every screen."""
    headline = "Bài kiểm tra lan tỏa cảnh báo" if floor else f"Bài kiểm tra lan tỏa cảnh báo {secrets.token_hex(4)}"
    phase = connect_phase(bench, "fanout", headline)
    procs, reports, go, results = phase["handles"]
    figures = phase["figures"]
    connected = figures["connected"]
    window = CpuWindow({"servers": bench.server_pids, "nginx": bench.nginx_pids(),
                        "clients": [r["pid"] for r in reports]})
    load_before = load()
    gc_before = None if floor else [gc_seconds(p) for p in bench.ports]
    profile = None if floor else bench.profile("alert")
    window.start()
    go.set()
    t0 = time.time()
    if floor:
        with concurrent.futures.ThreadPoolExecutor(len(bench.ports)) as pool:
            list(pool.map(lambda p: http_json(f"http://127.0.0.1:{p}/alert?id=1"), bench.ports))
        alert_id = 1
    else:
        expires = (datetime.now(VN) + timedelta(hours=1)).replace(microsecond=0).isoformat()
        # The officer's call goes through nginx like the screens, unless --api-direct sends it to process 0.
        base, cafile = ((bench.servers[0].url, None) if bench.args.api_direct else (bench.targets[0], bench.cafile))
        alert_id = http_json(base + "/api/v1/alerts", bench.servers[0].tokens["approver"], {
            "headline": headline, "hazard": "flash_flood", "level": 4, "unit_codes": [COMMUNE],
            "expires_at": expires}, cafile=cafile)["id"]
    api_s = time.time() - t0
    collected = [results.get(timeout=bench.args.timeout + 120) for _ in procs]
    received = [t - t0 for c in collected for t in c["alert_at"]]
    confirmed = [t - t0 for c in collected for t in c["confirmed_at"]]
    refreshed = [t - t0 for c in collected for t in c.get("manifest_at", [])]
    stored, last_at = 0, None
    if floor:
        stored = sum(http_json(f"http://127.0.0.1:{p}/acks?id=1")["acks"] for p in bench.ports)
    else:
        deadline = time.time() + 60
        while time.time() < deadline:
            stored, last_at = acks_in_database(bench.app, alert_id)
            if stored >= connected:
                break
            time.sleep(0.2)
    cpu = window.stop()
    if profile:
        figures["profile_alert"] = profile.stop()
    if gc_before is not None:
        figures["alert_gc_s"] = [round(gc_seconds(p) - b, 2) for p, b in zip(bench.ports, gc_before, strict=True)]
    manifest_requests = [t for c in collected for t, _ in c["manifest_requests"]]
    manifest_statuses = collections.Counter(str(s) for c in collected for _, s in c["manifest_requests"])
    for p in procs:
        p.join(timeout=60)
    figures.update({
        "api_call_s": round(api_s, 3), "received": len(received), "latency_s": summary(received),
        "ack_confirmed": len(confirmed), "ack_confirmed_s": summary(confirmed),
        "acks_recorded": stored,
        "last_ack_in_database_s": round(last_at.timestamp() - t0, 2) if last_at else None,
        "manifest_fetches_after_alert": len(manifest_requests),
        "holding_new_manifest": len(refreshed), "new_manifest_s": summary(refreshed),
        "manifest_statuses": dict(manifest_statuses),  # "0": a network error or the client's 20 s time-out
        "client_loop_lag_max_s": max(c["lag_max_s"] for c in collected),
        "alert_cpu": cpu,
        "server_rss_after_alert_mb": [rss_mb(p) for p in bench.server_pids],
        "load_before": load_before, "load_after": load(),
    })
    return figures


def per_second(times: list[float], t0: float) -> list[int]:
    if not times:
        return []
    times = [t for t in times if t >= t0]
    counts = [0] * (int(max(times, default=t0) - t0) + 1)
    for t in times:
        counts[int(t - t0)] += 1
    return counts


def storm_round(bench: Bench) -> dict:
    """Drop every screen at once (every server process killed and started again, every manifest changed)."""
    phase = connect_phase(bench, "storm", "-", target_version=1)
    procs, reports, go, results = phase["handles"]
    figures = phase["figures"]
    window = CpuWindow({"servers": [], "nginx": bench.nginx_pids(), "clients": [r["pid"] for r in reports]})
    load_before = load()
    window.start()
    go.set()
    time.sleep(0.5)
    t_kill = time.time()
    for server in bench.servers:
        server.proc.send_signal(signal.SIGKILL)
    for server in bench.servers:
        server.proc.wait(10)
        server.proc = None
    bump_all_manifests(bench.app)
    for server in bench.servers:
        server.start()
    t_up = time.time()
    window.groups["servers"] = bench.server_pids
    window.before["servers"] = sum(cpu_s(p) for p in bench.server_pids)
    collected = [results.get(timeout=bench.args.timeout + 120) for _ in procs]
    cpu = window.stop()
    back = [t - t_kill for c in collected for t in c["back_at"]]
    current = [t - t_kill for c in collected for t in c["current_at"]]
    requests = [(t, s) for c in collected for t, s in c["manifest_requests"]]
    attempts = [t for c in collected for t in c["connect_attempts"]]
    manifest_rate = per_second([t for t, _ in requests], t_kill)
    connect_rate = per_second(attempts, t_kill)
    for p in procs:
        p.join(timeout=60)
    errors: dict[str, int] = {}
    for c in collected:
        for key, count in c["connect_errors"].items():
            errors[key] = errors.get(key, 0) + count
    statuses: dict[str, int] = {}
    for _, status in requests:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    figures.update({
        "servers_back_after_s": round(t_up - t_kill, 2),
        "reconnected": len(back), "all_reconnected_s": round(max(back), 2) if back else None,
        "reconnect_s": summary(back),
        "up_to_date": len(current), "all_up_to_date_s": round(max(current), 2) if current else None,
        "up_to_date_s": summary(current),
        "not_up_to_date": sum(c["not_current"] for c in collected),
        "manifest_requests": len(requests), "manifest_statuses": statuses,
        "manifest_rps_peak": max(manifest_rate, default=0), "manifest_rps_by_second": manifest_rate,
        "connect_errors": errors,
        "connect_attempts_peak_per_s": max(connect_rate, default=0), "connect_attempts_by_second": connect_rate,
        "nginx_errors": bench.nginx_errors(),
        "storm_cpu": cpu, "load_before": load_before, "load_after": load(),
    })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--servers", type=int, default=1, help="server processes (more than one needs PostgreSQL)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="created and dropped by the bench")
    parser.add_argument("--redis-url", default=REDIS_URL, help="flushed before and after")
    parser.add_argument("--nginx", action="store_true", help="screens connect through deploy/nginx.conf")
    parser.add_argument("--scenario", choices=["fanout", "storm"], default="fanout")
    parser.add_argument("--floor", action="store_true", help="fanout: then the same broadcast from bench/floor.py")
    parser.add_argument("--api-direct", action="store_true", help="raise the alert on process 0, not through nginx")
    parser.add_argument("--no-manifest", action="store_true", help="screens ignore `manifest` events")
    parser.add_argument("--connect-rate", type=float, default=400.0, help="connections per second per process")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds the clients wait for the outcome")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--profile", type=Path, help="sample server process 0 with py-spy while screens connect and "
                        "in the alert window; raw stacks in this folder, a summary in the figures")
    parser.add_argument("--profile-native", action="store_true",
                        help="--profile with C frames (py-spy --native); it pauses the server for each sample, "
                        "so screens may time out: a small run only")
    args = parser.parse_args()

    limit = raise_open_files()
    # A background job ignores SIGINT: make SIGTERM unwind too, so servers, nginx and the database go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    root = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    bench = Bench(args, root)
    result = {"kiosks": args.kiosks, "servers": args.servers, "database": args.database, "nginx": args.nginx,
              "client_processes": args.procs, "scenario": args.scenario, "open_files_limit": limit,
              "cores": os.cpu_count(), "started": datetime.now(VN).isoformat(timespec="seconds"), "load": load()}
    try:
        bench.start_servers()
        if args.scenario == "fanout":
            result["ours"] = fanout_round(bench)
            if args.floor:
                for server in bench.servers:
                    server.stop()
                bench.start_floor()
                result["floor"] = fanout_round(bench, floor=True)
                ours, floor = result["ours"]["latency_s"], result["floor"]["latency_s"]
                if ours and floor:
                    result["p99_ratio_to_floor"] = round(ours["p99"] / floor["p99"], 2)
        else:
            result["storm"] = storm_round(bench)
    finally:
        bench.close()
        shutil.rmtree(root, ignore_errors=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
