from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self) -> None:
        # The providers read their tokens from the credential rows (env as fallback); posts is
        # the lowest app that may import both settings_app and platforms.
        from platforms.credentials import register_source
        from settings_app.credentials import platform_credential_tokens

        register_source(platform_credential_tokens)
