"""Configuration: defaults < instance/config.py < KIOSK_* environment < test overrides.

Nothing here runs at import time; `load_config` is called by the app factory, so a test can build
an app with its own instance folder and environment without touching the developer's files.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

MAX_REMEMBER = timedelta(days=30)
# The Socket.IO channel's and rate-limit keys' prefix when there is no Redis to share (one process).
LOCAL_NAMESPACE = "bangtin"


class ConfigError(ValueError):
    """Settings the server must not start with; the message names the setting and what to do, for the operator."""


class Defaults:
    """Settings a fresh checkout runs with; every one can be overridden."""

    BIND = "127.0.0.1:5000"
    DATABASE_URL: str | None = None  # None: sqlite in the instance folder
    REDIS_URL: str | None = None
    # Names this deployment's Socket.IO channel and rate-limit keys in Redis, so two deployments
    # (a province's production and its training copy) can share one Redis server without hearing
    # each other's alerts. Every process of one deployment must use the same name. Required with
    # REDIS_URL: a default would give every copy the production channel (`_derive_redis`).
    REDIS_NAMESPACE = ""
    # Manifests the deployment serves per second, all processes together (bench/README.md: about 150
    # per second on two cores while 5,000 screens stay connected). A change reaching more screens
    # than this asks them to spread their fetches over screens ÷ rate seconds (services/screens/publish.py).
    MANIFEST_FETCH_RATE = 150
    MEDIA_DIR = "media"
    PUBLIC_URL: str | None = None
    MAX_UPLOAD_MB = 512
    # Below this much free space on the media store's disk, admins see a warning in the officer UI
    # (uploads that do not fit are refused with 507 whatever it is; 0 turns the warning off).
    MEDIA_FREE_WARN_MB = 1024
    # Media checks (kiosk_server.services.content.media_probe): a decoded image may hold at most this many
    # pixels (a decompression bomb is refused, not decoded); an animation counts all its frames.
    MAX_IMAGE_PIXELS = 40_000_000
    MAX_ANIMATION_PIXELS = 200_000_000
    IMAGE_MAX_SIDE = 3840  # larger photos are scaled down to this: no screen shows more (4K)
    THUMB_WIDTH = 480
    MAX_PDF_PAGES = 50
    SCREEN_IMAGE_SIDE = 1920  # long side of the images made for screens: PDF pages, video posters
    # Non-upload requests (JSON, forms) never need more than this; a bigger body is refused early.
    MAX_FORM_KB = 1024

    SOCKETIO_ASYNC_MODE = "gevent"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Flask-Login's default is a year; an officer's "remember me" lasts at most this long.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: officers keep tabs open

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (an algorithm name, not a password)
    RATELIMIT_LOGIN = "10 per minute;60 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    # Not Flask-Limiter's RATELIMIT_DEFAULT: that would limit every page, kiosks' included.
    API_RATE_LIMIT = "600 per minute"
    # QR images per address: a screen draws a few dozen per manifest and its service worker keeps
    # them; the office's screens may share one address behind NAT.
    QR_RATE_LIMIT = "300 per minute"
    # /metrics answers only these addresses or networks (comma-separated), or a request bearing
    # METRICS_TOKEN. Behind nginx, set KIOSK_PROXIES so the client's own address is checked.
    METRICS_ALLOW = "127.0.0.1,::1"
    METRICS_TOKEN = ""

    API_TITLE = "Bảng tin điện tử công cộng API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    SEED_DEMO_ON_START = True

    # CAP feeds: when certificate files are listed (PEM, ":"-separated in the environment), every
    # CAP message must carry an XML signature by one of them.
    CAP_TRUSTED_CERT_FILES: str = ""
    CAP_SENDER = "bangtin@localhost"
    ACK_BATCH_SECONDS = 0.2
    ACK_CONFIRM_TIMEOUT_S = 10  # a screen not answered by then sends its receipt again later
    # Screens' live status (services/screens/presence.py): each process keeps the latest report per screen and
    # writes them together this often, so heartbeats cost one UPDATE per interval, not one per screen.
    # A connect or disconnect is written and shown to officers within PRESENCE_PROMPT_SECONDS. Both
    # stay well under the 30 s "last seen" and 90 s "online" windows. 0: written at once (tests).
    PRESENCE_FLUSH_SECONDS = 5.0
    PRESENCE_PROMPT_SECONDS = 0.5
    # A revoked screen's sockets are closed by whichever process holds them within this (0: only when
    # the screen next speaks; tests).
    REVOKED_SWEEP_SECONDS = 1.0
    ALERT_MANIFEST_DELAY_S = 1.0
    # An alert raised or cancelled by an officer (or a feed) is sent or withdrawn from a background task
    # running its stored job; the request answers once both are committed (services/alerts/alerts._hand_off).
    # False: done before the answer (tests).
    ALERT_SEND_IN_BACKGROUND = True
    # Stored due work (services/core/due.py) is looked for this often by every serving process: an alert
    # effective at a set time reaches screens at most this late, whichever process raised it.
    DUE_POLL_SECONDS = 0.5
    # Proof of play: raw plays of sealed days older than this are rolled up into hourly figures per
    # screen and item (services/reports/plays.py); every report's figures stay exact.
    PLAY_RAW_DAYS = 90
    # Play records one screen may send a minute (`played`, services/reports/played.py): a screen plays a
    # few items a minute, and a week offline drains its queue (200 a batch) in under an hour.
    PLAYED_RATE_LIMIT = "1200 per minute"
    # Behind nginx: hand media bytes to nginx's internal location (deploy/nginx.conf) instead of Python.
    MEDIA_ACCEL_PREFIX = ""
    # Behind nginx: how many proxies set X-Forwarded-For/-Proto; 0 trusts none (a direct server).
    # Rate limits per address need the real client address, so set 1 behind one nginx.
    PROXIES = 0

    # Citizens' feedback. An item unanswered this many calendar days after it arrived is flagged
    # overdue (set the number your province's rules give). Photos go to a private store of their
    # own (default <instance>/feedback-photos), never under MEDIA_DIR, which is served publicly.
    FEEDBACK_DUE_DAYS = 10
    FEEDBACK_RATE_LIMIT = "5 per hour;20 per day"  # form submissions per address
    FEEDBACK_LOOKUP_RATE_LIMIT = "60 per minute;600 per day"  # tracking-page views per address
    FEEDBACK_MAX_PHOTO_MB = 10
    FEEDBACK_PHOTO_DIR = ""

    # Information sources (services/sources/sources.py, services/sources/fetch.py). Hosts listed here (host or
    # host:port, comma-separated) may be fetched although they resolve to loopback or private
    # addresses; every other internal address is refused after DNS resolution.
    SOURCE_ALLOW_HOSTS = ""
    SOURCE_CONNECT_TIMEOUT = 5
    SOURCE_READ_TIMEOUT = 10
    SOURCE_TOTAL_TIMEOUT = 30  # one fetch, redirects included
    SOURCE_MAX_KB = 2048  # the largest document a source may serve
    SOURCE_POLL_SECONDS = 5.0  # how often each process looks for sources due to be polled (each has its own interval)
    # Bounds on ingestion (docs/security.md), their one home: waiting CAP messages and their bytes per
    # source, sources per unit, polls run side by side (so slow feeds cannot hold up an official CAP
    # source), and each poll's deadline in seconds (a CAP index fetches no document after it).
    SOURCE_MAX_WAITING = 20
    SOURCE_MAX_WAITING_KB = 4096
    SOURCE_MAX_PER_UNIT = 20
    SOURCE_POLL_WORKERS = 4
    SOURCE_POLL_DEADLINE = 60

    # PostgreSQL away must be a quick 503, not a hung request (issue 21): seconds to wait for a new
    # connection, for a free one in the pool, and for one statement of a web request
    # (kiosk_server/database.py; background work and the CLI run without that last bound).
    DATABASE_CONNECT_TIMEOUT = 3
    DATABASE_POOL_TIMEOUT = 5
    DATABASE_STATEMENT_TIMEOUT = 8
    # What a 503 answer's Retry-After tells clients while the database is away.
    DATABASE_RETRY_AFTER = 10


# Environment variables read as KIOSK_<NAME>; the value is parsed with the type of the default.
ENV_KEYS = (
    "BIND",
    "DATABASE_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_POOL_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT",
    "DATABASE_RETRY_AFTER",
    "REDIS_URL",
    "REDIS_NAMESPACE",
    "MANIFEST_FETCH_RATE",
    "MEDIA_DIR",
    "SECRET_KEY",
    "PUBLIC_URL",
    "MAX_UPLOAD_MB",
    "MEDIA_FREE_WARN_MB",
    "MAX_FORM_KB",
    "SOCKETIO_ASYNC_MODE",
    "SEED_DEMO_ON_START",
    "RATELIMIT_LOGIN",
    "CAP_TRUSTED_CERT_FILES",
    "CAP_SENDER",
    "MEDIA_ACCEL_PREFIX",
    "FEEDBACK_DUE_DAYS",
    "FEEDBACK_RATE_LIMIT",
    "FEEDBACK_MAX_PHOTO_MB",
    "FEEDBACK_PHOTO_DIR",
    "PROXIES",
    "QR_RATE_LIMIT",
    "METRICS_ALLOW",
    "METRICS_TOKEN",
    "SOURCE_ALLOW_HOSTS",
    "SOURCE_MAX_WAITING",
    "SOURCE_MAX_WAITING_KB",
    "SOURCE_MAX_PER_UNIT",
    "SOURCE_POLL_WORKERS",
    "SOURCE_POLL_DEADLINE",
    "PLAY_RAW_DAYS",
    "PLAYED_RATE_LIMIT",
)


def _parse(raw: str, like: Any) -> Any:
    if isinstance(like, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(like, int):
        return int(raw)
    return raw


def load_config(
    instance_path: str, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the merged settings for an app whose instance folder is `instance_path`."""
    environ = os.environ if environ is None else environ
    cfg: dict[str, Any] = {k: getattr(Defaults, k) for k in dir(Defaults) if k.isupper()}

    instance_file = Path(instance_path) / "config.py"
    if instance_file.is_file():
        namespace: dict[str, Any] = {}
        # The operator's own Python file, trusted like the code (Flask's from_pyfile does the same).
        exec(compile(instance_file.read_text(encoding="utf-8"), str(instance_file), "exec"), namespace)  # noqa: S102
        cfg.update({k: v for k, v in namespace.items() if k.isupper()})

    for key in ENV_KEYS:
        raw = environ.get(f"KIOSK_{key}")
        if raw not in (None, ""):
            cfg[key] = _parse(raw, cfg.get(key))

    if overrides:
        cfg.update(overrides)

    _derive(cfg, instance_path)
    return cfg


def _derive(cfg: dict[str, Any], instance_path: str) -> None:
    """Fill the settings computed from others (Flask and extension names)."""
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'kiosk.db'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    _derive_engine_options(cfg)
    if str(cfg.get("PUBLIC_URL") or "").lower().startswith("https://"):
        # Served over https: the session and remember cookies never travel in clear text.
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
    duration = cfg.get("REMEMBER_COOKIE_DURATION")
    if not isinstance(duration, timedelta) or duration > MAX_REMEMBER:
        cfg["REMEMBER_COOKIE_DURATION"] = MAX_REMEMBER
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = instance_secret_key(instance_path)
    media = Path(cfg["MEDIA_DIR"])
    cfg["MEDIA_DIR"] = str(media if media.is_absolute() else Path.cwd() / media)
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_UPLOAD_MB"]) * 1024 * 1024
    photos = Path(cfg.get("FEEDBACK_PHOTO_DIR") or Path(instance_path) / "feedback-photos")
    cfg["FEEDBACK_PHOTO_DIR"] = str(photos if photos.is_absolute() else Path.cwd() / photos)
    if "CAP_TRUSTED_CERTS" not in cfg:
        files = [f for f in str(cfg.get("CAP_TRUSTED_CERT_FILES") or "").split(":") if f]
        cfg["CAP_TRUSTED_CERTS"] = [Path(f).read_text(encoding="ascii") for f in files]
    _derive_redis(cfg)
    _derive_limit_fallback(cfg)


def _derive_engine_options(cfg: dict[str, Any]) -> None:
    """Bound PostgreSQL's waits, and test pooled connections before use so a returned server is used at once."""
    if not str(cfg["DATABASE_URL"]).startswith("postgresql"):
        return
    options = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_timeout", int(cfg["DATABASE_POOL_TIMEOUT"]))
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", int(cfg["DATABASE_CONNECT_TIMEOUT"]))
    # A server that vanished without closing the socket (a cut link): the kernel gives up after this
    # many milliseconds of unacknowledged data instead of retransmitting for a quarter of an hour.
    connect_args.setdefault("tcp_user_timeout", int(cfg["DATABASE_CONNECT_TIMEOUT"]) * 1000)
    connect_args.setdefault("keepalives_idle", 10)
    options["connect_args"] = connect_args
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _derive_redis(cfg: dict[str, Any]) -> None:
    """Fill the namespace and rate-limit storage; refuse a Redis URL without a namespace of its own."""
    if not cfg.get("REDIS_URL"):
        cfg["REDIS_NAMESPACE"] = cfg.get("REDIS_NAMESPACE") or LOCAL_NAMESPACE
        cfg.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        return
    if not str(cfg.get("REDIS_NAMESPACE") or "").strip():
        # A training copy started from production's settings would otherwise send its test alerts
        # down the real screens' channel.
        raise ConfigError(
            "Đã đặt KIOSK_REDIS_URL thì phải đặt cả KIOSK_REDIS_NAMESPACE: tên riêng của triển khai này trong "
            "Redis (ví dụ bangtin-tuyenquang cho bản chính thức, bangtin-taphuan cho bản tập huấn), giống nhau "
            "ở mọi tiến trình của cùng một triển khai.")
    cfg.setdefault("RATELIMIT_STORAGE_URI", cfg["REDIS_URL"])
    cfg.setdefault("RATELIMIT_KEY_PREFIX", cfg["REDIS_NAMESPACE"])


def _derive_limit_fallback(cfg: dict[str, Any]) -> None:
    """Count limits in this process's memory while a shared (Redis) storage does not answer (issue 21).

    Flask-Limiter's own option; pointless (and a second store) when the storage is memory already.
    """
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
                   not str(cfg.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"))


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key stored in the instance folder, creating it once (never a fallback)."""
    path = Path(instance_path) / "secret_key"
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must agree on one key, so the loser reads the winner's.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
