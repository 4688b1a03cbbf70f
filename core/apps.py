from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender, using: str = "default", **kwargs) -> None:
    # The database cache's table (CACHE_URL=dbcache://…, the default) exists after every
    # `migrate`, the test database's included; a no-op when it exists or another cache is used.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="core.cache_table")
