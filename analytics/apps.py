from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from publishing.hooks import register_slot_suggestions

        from .best_time import best_time_slot_suggestions

        register_slot_suggestions(best_time_slot_suggestions)
