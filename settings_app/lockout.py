"""Admin login lockout: LOGIN_LOCKOUT_FAILURES failed logins for one username from one IP within
LOGIN_LOCKOUT_MINUTES refuse that pair for LOGIN_LOCKOUT_MINUTES. Counted in the cache (shared
by all web workers when CACHE_URL points to Redis or the database)."""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError


def _key(username: str, ip: str) -> str:
    ident = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"login-failures:{ident}"


def client_ip(request) -> str:
    # Behind the proxy the peer is the proxy; trust its X-Forwarded-For only in production,
    # where SECURE_PROXY_SSL_HEADER says a proxy is in front.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def login_locked(username: str, ip: str) -> bool:
    return cache.get(_key(username, ip), 0) >= settings.LOGIN_LOCKOUT_FAILURES


def login_failed(username: str, ip: str) -> None:
    key, timeout = _key(username, ip), settings.LOGIN_LOCKOUT_MINUTES * 60
    # The window starts at the first failure; add() keeps it from being reset by later ones.
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout)


def login_succeeded(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, refusing a username+IP after repeated failures."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else ""
        if username and login_locked(username, ip):
            raise ValidationError(
                f"Too many failed logins. Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes.",
                code="locked",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                login_failed(username, ip)
            raise
        login_succeeded(username, ip)
        return cleaned
