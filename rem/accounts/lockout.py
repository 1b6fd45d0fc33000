"""Too many wrong passwords: a wait, counted per account and per client address.

Only FAILED sign-ins count, so people who sign in correctly never use anything up: a
training room of colleagues behind one router all get in. Once an account has
``REM_SIGNIN_LIMIT_ACCOUNT`` failures (default 10 in 15 minutes), or an address has
``REM_SIGNIN_LIMIT_ADDRESS`` (default 50 in 15 minutes), sign-ins for it wait until the
window ends, and the message says how long.

So that a stranger typing wrong passwords cannot lock a person out, a browser that signed
in to an account before carries a signed device cookie for that account. With it, the
account and address counts do not apply; failures from that browser count on the device
alone (:data:`DEVICE_LIMIT`), so a stolen cookie does not allow endless guessing either.

The counts live in the rate-limit store (the app's database by default, shared by every
process; ``REM_RATELIMIT_STORAGE_URI``) and are switched off with the other limits
(``REM_RATELIMIT_ENABLED=0``). The client address is the one werkzeug's ProxyFix takes
from ``X-Forwarded-For`` for ``REM_PROXY_FIX`` trusted proxies (docs/deployment.md);
IPv6 addresses count per /64 network, which one household or office gets.
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import time
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse

from rem.accounts.models import User
from rem.extensions import limiter

DEVICE_COOKIE = "rem_device"
DEVICE_DAYS = 365
DEVICE_LIMIT = "10 per 15 minutes"


@dataclass(frozen=True)
class Refusal:
    """A sign-in that must wait: for the account or for the address, this many seconds."""

    reason: str  # "account" or "address"
    seconds: int

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, at least one."""
        return max(1, math.ceil(self.seconds / 60))


def _enabled() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def _account_key(email: str) -> str:
    return "signin-failed:account:" + email.strip().lower()[:254]


def client_network() -> str:
    """Return the client address to count on (an IPv6 address as its /64 network)."""
    address = request.remote_addr or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _limits() -> dict[str, object]:
    config = current_app.config
    return {"account": parse(config.get("REM_SIGNIN_LIMIT_ACCOUNT") or "10 per 15 minutes"),
            "address": parse(config.get("REM_SIGNIN_LIMIT_ADDRESS") or "50 per 15 minutes"),
            "device": parse(DEVICE_LIMIT)}


def _keys(email: str) -> dict[str, str]:
    return {"account": _account_key(email), "address": "signin-failed:address:"
            + client_network()}


# --- the device cookie -----------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="rem-device")


def known_device(user: User | None) -> str | None:
    """Return this browser's device id when it signed in to ``user`` before, else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or user is None:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id:
        return None
    device = data.get("d")
    return device if isinstance(device, str) and device else None


def remember_device(response, user: User, device: str | None) -> None:
    """Give the browser (again) a signed device cookie for ``user``."""
    value = _serializer().dumps({"u": user.id, "d": device or secrets.token_urlsafe(12)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 24 * 3600,
                        path=request.script_root + "/login",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                        httponly=True, samesite="Lax")


# --- counting ----------------------------------------------------------------------------


def _window(item, key: str) -> tuple[bool, int]:
    """Return whether ``key`` may try again, and the seconds until its window ends."""
    strategy = limiter.limiter
    allowed = strategy.test(item, key)
    reset_at, _remaining = strategy.get_window_stats(item, key)
    return allowed, max(0, int(reset_at - time.time()))


def refusal(email: str, device: str | None) -> Refusal | None:
    """Return why and how long a sign-in for ``email`` from here must wait, or None."""
    if not _enabled():
        return None
    limits = _limits()
    if device is not None:
        allowed, _seconds = _window(limits["device"], "signin-failed:device:" + device)
        if allowed:
            return None  # a browser this person used before: the other counts do not apply
    for reason, key in _keys(email).items():
        allowed, seconds = _window(limits[reason], key)
        if not allowed:
            return Refusal(reason, seconds)
    return None


def failed(email: str, device: str | None) -> None:
    """Count a wrong password (on the device alone when the browser is known)."""
    if not _enabled():
        return
    limits = _limits()
    strategy = limiter.limiter
    if device is not None and strategy.test(limits["device"], "signin-failed:device:" + device):
        strategy.hit(limits["device"], "signin-failed:device:" + device)
        return
    for reason, key in _keys(email).items():
        strategy.hit(limits[reason], key)


def succeeded(email: str) -> None:
    """Forget the account's failures once its password was given correctly."""
    if _enabled():
        limiter.limiter.clear(_limits()["account"], _account_key(email))
