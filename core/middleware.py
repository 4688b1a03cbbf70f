"""Security headers Django's SecurityMiddleware does not set, and the proxy header it believes."""

from django.conf import settings

from core.client_address import peer_is_trusted_proxy


class UntrustedProxyHeaderMiddleware:
    """Drops the SECURE_PROXY_SSL_HEADER (X-Forwarded-Proto) of a request whose direct peer is
    not one of settings.TRUSTED_PROXIES: anyone can write it, and Django would otherwise take a
    plain-HTTP request for HTTPS (no redirect, secure cookies sent in clear). It runs before
    SecurityMiddleware; the scheme is then the server's own (gunicorn's wsgi.url_scheme)."""

    def __init__(self, get_response):
        self.get_response = get_response
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.meta_key = header[0] if header else None

    def __call__(self, request):
        if self.meta_key in request.META and not peer_is_trusted_proxy(request):
            del request.META[self.meta_key]
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` (settings.CONTENT_SECURITY_POLICY) to every answer that
    has none; empty setting: no header."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
