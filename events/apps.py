from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from events.models import Event
        from events.reminders import register_kinds
        from events.signals import events_changed

        register_kinds()
        post_save.connect(events_changed, sender=Event, dispatch_uid="events-stamp-save")
        post_delete.connect(events_changed, sender=Event, dispatch_uid="events-stamp-delete")
