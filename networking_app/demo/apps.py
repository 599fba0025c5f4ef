from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The `seed_demo` command: demo accounts and content in every app, for `make run`."""

    name = "networking_app.demo"
    label = "demo"
