from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from core.audit import audit_register_hidden_values
        from settings_app.access import personal_fields_hidden_from

        # The audit trail hides the payees' personal data as the API and the admin do.
        audit_register_hidden_values(personal_fields_hidden_from)
