"""Flask extensions, created unbound so the factory can bind them to any app (tests make many)."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
socketio = SocketIO()
login = LoginManager()
csrf = CSRFProtect()
# While its storage (Redis) is unreachable, Flask-Limiter counts in this process's memory and goes back
# to the shared storage when it answers again: Redis away must not turn every limited route into a 500.
limiter = Limiter(key_func=get_remote_address)  # the memory fallback: config._derive_limit_fallback
babel = Babel()
