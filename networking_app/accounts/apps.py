from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "networking_app.accounts"
    label = "accounts"

    def ready(self) -> None:
        from networking_app.accounts.deletion import register_closing_steps
        from networking_app.accounts.my_data import register_files
        from networking_app.accounts.retention import register_retention_rules

        register_closing_steps()
        register_files()
        register_retention_rules()
