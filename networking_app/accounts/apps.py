from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "networking_app.accounts"
    label = "accounts"
