"""The floor for the fan-out benchmark: the same broadcast from a bare asyncio `websockets` server.

No framework, no database, no message queue: just enough Engine.IO v4 / Socket.IO v5 on the
websocket transport for the bench's python-socketio clients to join `/kiosk`, receive `alert` and
have their `alert_ack` answered `{"ok": true}`. Whatever our server takes beyond this is the price of
Flask-SocketIO, gevent, Redis and the database; `bench/fanout.py --floor` runs it in the same
places (same ports, same nginx, same clients) and reports our p99 as a multiple of its p99.

    .venv/bin/python -m bench.floor --port 5190      # GET /alert?id=N broadcasts; GET /acks counts

Frames spoken (text, one packet per frame): `0{sid,…}` open; `40/kiosk,{auth}` → `40/kiosk,{"sid"}`;
`42/kiosk,["alert",{…}]`; `42/kiosk,<n>["alert_ack",{"id"}]` → `43/kiosk,<n>[{"ok":true}]`; the
server pings `2`, the client answers `3`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import secrets
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve

NAMESPACE = "/kiosk"
PING_INTERVAL_S = 25
VN = timezone(timedelta(hours=7))

members: set[ServerConnection] = set()
acks: set[tuple[int, str]] = set()


def alert_payload(alert_id: int) -> dict:
    """Return an alert shaped and sized like the one our server sends (services.alerts.kiosk_payload)."""
    now = datetime.now(VN).replace(microsecond=0)
    return {
        "id": alert_id, "headline": "Bài kiểm tra lan tỏa cảnh báo", "description": None, "instruction": None,
        "hazard": "flash_flood", "hazard_name": "Lũ quét", "level": 4, "level_name": "Cấp 4", "color": "#d32f2f",
        "text_color": "#ffffff", "sent_at": now.isoformat(), "effective_at": None,
        "expires_at": (now + timedelta(hours=1)).isoformat(), "translations": [], "sound": True,
        "area": "Xã Bench",
    }


async def session(ws: ServerConnection) -> None:
    """One Engine.IO session on the websocket transport."""
    sid = secrets.token_urlsafe(12)
    await ws.send("0" + json.dumps({"sid": sid, "upgrades": [], "pingInterval": PING_INTERVAL_S * 1000,
                                     "pingTimeout": 20000, "maxPayload": 1000000}))
    pinger = asyncio.create_task(ping(ws))
    try:
        async for frame in ws:
            if isinstance(frame, bytes) or not frame:
                continue
            if frame[0] == "4":
                await packet(ws, sid, frame[1:])
            # "3" (pong) needs nothing; anything else is ignored
    finally:
        pinger.cancel()
        members.discard(ws)


async def packet(ws: ServerConnection, sid: str, text: str) -> None:
    """Handle one Socket.IO packet (Engine.IO message without its leading `4`)."""
    kind, rest = text[0], text[1:]
    namespace = "/"
    if rest.startswith("/"):
        namespace, _, rest = rest.partition(",")
    if namespace != NAMESPACE:
        return
    if kind == "0":  # connect, with the auth object; any token is accepted here
        members.add(ws)
        await ws.send(f"40{NAMESPACE}," + json.dumps({"sid": sid}))
    elif kind == "1":
        members.discard(ws)
    elif kind == "2":  # event, maybe with an ack id before the JSON array
        digits = len(rest) - len(rest.lstrip("0123456789"))
        ack_id, body = rest[:digits], rest[digits:]
        name, *args = json.loads(body)
        if name == "alert_ack" and args and isinstance(args[0], dict):
            acks.add((args[0].get("id"), sid))
            if ack_id:
                await ws.send(f"43{NAMESPACE},{ack_id}" + json.dumps([{"ok": True}]))


async def ping(ws: ServerConnection) -> None:
    while True:
        await asyncio.sleep(PING_INTERVAL_S)
        await ws.send("2")


def http(connection: ServerConnection, request):
    """Answer the plain HTTP calls (/alert, /acks, /healthz); let /socket.io/ become a websocket."""
    url = urlsplit(request.path)
    if url.path.startswith("/socket.io/"):
        return None
    if url.path == "/alert":
        alert_id = int(parse_qs(url.query).get("id", ["1"])[0])
        frame = f"42{NAMESPACE}," + json.dumps(["alert", alert_payload(alert_id)], ensure_ascii=False)
        broadcast(set(members), frame)
        return connection.respond(HTTPStatus.OK, json.dumps({"id": alert_id, "sent_to": len(members)}))
    if url.path == "/acks":
        alert_id = int(parse_qs(url.query).get("id", ["1"])[0])
        return connection.respond(HTTPStatus.OK, json.dumps({"acks": sum(1 for a, _ in acks if a == alert_id)}))
    if url.path == "/healthz":
        return connection.respond(HTTPStatus.OK, "ok")
    return connection.respond(HTTPStatus.NOT_FOUND, "not found")


async def main(host: str, port: int) -> None:
    async with serve(session, host, port, process_request=http, backlog=2048, ping_interval=None,
                     max_size=1_000_000, compression=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5190)
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(args.host, args.port))
