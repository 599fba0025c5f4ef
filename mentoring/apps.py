from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        from mentoring.reminders import register_kinds
        from mentoring.services.profiles import mentor_refresh_after_profile_saved
        from networking_app.accounts.hooks import register_profile_saved_step

        register_kinds()
        register_profile_saved_step(mentor_refresh_after_profile_saved)
