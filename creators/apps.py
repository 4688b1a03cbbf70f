from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "creators"
    verbose_name = "Creators"

    def ready(self) -> None:
        from posts.hooks import register_accounts_by_username

        from .queries import accounts_by_username

        register_accounts_by_username(accounts_by_username)
