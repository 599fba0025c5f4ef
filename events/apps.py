from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from events.closing import register_closing_steps
        from events.met_places import register_met_places
        from events.my_data import register_data_files
        from events.reminders import register_kinds

        register_kinds()
        register_closing_steps()
        register_data_files()
        register_met_places()
