"""API throttles: per API key and per signed-in user, rates from settings (env)."""

from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests made with an API key, counted per key."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        prefix = getattr(key, "prefix", None)
        if prefix is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": prefix}


class SessionUserRateThrottle(SimpleRateThrottle):
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
