"""Admin login lockout, counted per username and per client address (core.counters, in the
database, so every web worker on every machine sees the same counts).

LOGIN_LOCKOUT_FAILURES failed logins of one username (from any address) within
LOGIN_LOCKOUT_MINUTES lock that username; LOGIN_LOCKOUT_ADDRESS_FAILURES failed logins from one
address (any usernames) lock that address. A lock lasts until the window that started with the
first failure ends. Every attempt takes its unit *before* the password is checked, so
concurrent attempts cannot slip past the limit, and a locked username's right password is
refused too.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from core.client_address import client_ip
from core.counters import counter_give_back, counter_reset, counter_take


def _username_key(username: str) -> str:
    return "login-user:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()


def _address_key(ip: str) -> str:
    # One IPv6 client holds a whole /64 (2^64 addresses): count the network, not the address.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"login-address:{ip}"
    if address.version == 6:
        if address.ipv4_mapped:
            return f"login-address:{address.ipv4_mapped}"
        return f"login-address:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"login-address:{address}"


def login_attempt_begin(username: str, ip: str) -> bool:
    """Take one attempt for the username and for the address; False (nothing taken) when either
    is locked."""
    window_s = settings.LOGIN_LOCKOUT_MINUTES * 60
    user_key = _username_key(username)
    if not counter_take(user_key, limit=settings.LOGIN_LOCKOUT_FAILURES, window_s=window_s).allowed:
        return False
    address = counter_take(
        _address_key(ip), limit=settings.LOGIN_LOCKOUT_ADDRESS_FAILURES, window_s=window_s
    )
    if not address.allowed:
        counter_give_back(user_key)  # the password was never checked
        return False
    return True


def login_attempt_succeeded(username: str, ip: str) -> None:
    # Only failures count: the username starts afresh, the address gets its attempt back.
    counter_reset(_username_key(username))
    counter_give_back(_address_key(ip))


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, refusing a username or an address after repeated failures."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # no password is checked, nothing to count
        ip = client_ip(self.request) if self.request else ""
        if not login_attempt_begin(username, ip):
            raise ValidationError(
                f"Too many failed logins. Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes.",
                code="locked",
            )
        cleaned = super().clean()  # a failure keeps the attempt taken above
        login_attempt_succeeded(username, ip)
        return cleaned
