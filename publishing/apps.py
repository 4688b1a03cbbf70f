from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from posts.hooks import register_account_tokens, register_accounts_without_own_token

        from .queries import tracked_accounts_without_tracking_connection
        from .services.oauth import connection_tokens_for_accounts

        # The tracking providers read an own account with its connection's token.
        register_account_tokens(connection_tokens_for_accounts)
        # The "no working provider" warnings leave out the accounts those tokens cover.
        register_accounts_without_own_token(tracked_accounts_without_tracking_connection)
