"""API throttles: per API key and per signed-in user, rates from settings (env).

Counted in the database (core.counters), one conditional upsert per request, so every web
worker on every machine shares one budget and concurrent requests cannot overshoot it (DRF's
own throttles keep a history list in the cache with a get then a set, which races). A window
starts at its first request and lasts the rate's period; anonymous requests count per client
address (core.client_address, the same address the login lockout uses).
"""

from rest_framework.throttling import SimpleRateThrottle

from core.client_address import client_ip
from core.counters import counter_take


class SharedWindowThrottle(SimpleRateThrottle):
    """DRF's rate settings and cache keys, counted in a shared, race-free window."""

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        self.retry_after_s = None
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        taken = counter_take(key, limit=self.num_requests, window_s=self.duration)
        self.retry_after_s = taken.retry_after_s
        return taken.allowed

    def wait(self) -> float | None:
        return self.retry_after_s


class ApiKeyRateThrottle(SharedWindowThrottle):
    """Requests made with an API key, counted per key."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        prefix = getattr(key, "prefix", None)
        if prefix is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": prefix}


class SessionUserRateThrottle(SharedWindowThrottle):
    """Requests of a signed-in user without a key, counted per user (anonymous: per IP)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if getattr(getattr(request, "auth", None), "prefix", None) is not None:
            return None  # counted per key
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
