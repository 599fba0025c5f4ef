from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        from mentoring.reminders import register_kinds

        register_kinds()
