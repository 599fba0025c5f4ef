from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        from contacts.closing import register_closing_steps
        from contacts.exports.data import register_data_files
        from contacts.reminders import register_kinds
        from contacts.retention import register_retention_rules

        register_kinds()
        register_closing_steps()
        register_data_files()
        register_retention_rules()
