"""Deploy checks (`manage.py check --deploy`) of our own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def per_process_cache_check(app_configs, **kwargs) -> list[Warning]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not getattr(settings, "PRODUCTION", False) or backend not in _PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "CACHE_URL is a per-process cache: each gunicorn worker sees only its own entries.",
            hint="Use the default database cache (dbcache://creatorops_cache) or redis://….",
            id="creatorops.W001",
        )
    ]
