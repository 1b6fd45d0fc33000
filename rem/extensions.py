"""Unbound Flask extensions, bound to the app in ``rem.create_app``."""

from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from rem.core import ratelimit  # registers the rem+sql:// rate-limit store
from rem.core.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = ratelimit.Limiter(key_func=get_remote_address, default_limits=[])
