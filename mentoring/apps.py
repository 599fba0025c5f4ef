from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self) -> None:
        from contacts.this_week import register_this_week_check
        from mentoring.closing import register_closing_steps
        from mentoring.my_data import register_data_files
        from mentoring.reminders import register_kinds
        from mentoring.selectors.sessions import has_session_this_week
        from mentoring.services.profiles import (
            mentor_refresh_after_profile_saved,
            mentor_start_for_former_student,
        )
        from networking_app.accounts.hooks import (
            register_became_volunteer_step,
            register_profile_saved_step,
        )

        register_kinds()
        register_closing_steps()
        register_data_files()
        register_profile_saved_step(mentor_refresh_after_profile_saved)
        register_became_volunteer_step(mentor_start_for_former_student)
        register_this_week_check(has_session_this_week)
