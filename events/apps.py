from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from events.closing import register_closing_steps
        from events.models import Event, EventHost
        from events.my_data import register_data_files
        from events.reminders import register_kinds
        from events.signals import events_changed

        register_kinds()
        register_closing_steps()
        register_data_files()
        post_save.connect(events_changed, sender=Event, dispatch_uid="events-stamp-save")
        post_delete.connect(events_changed, sender=Event, dispatch_uid="events-stamp-delete")
        # The calendar filters by organization and industry through these.
        for through in (Event.organizations.through, Event.labels.through, EventHost):
            m2m_changed.connect(events_changed, sender=through, dispatch_uid=f"stamp-{through}")
            post_save.connect(events_changed, sender=through, dispatch_uid=f"stamp-s-{through}")
            post_delete.connect(events_changed, sender=through, dispatch_uid=f"stamp-d-{through}")
