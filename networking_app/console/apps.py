from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The career office's console: programme dashboard, reports and administration."""

    name = "networking_app.console"
    label = "console"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from networking_app.accounts.closing import ClosingStep, register
        from networking_app.accounts.hooks import register_signup_step
        from networking_app.console.models import EligibilityLabel
        from networking_app.console.reports import labels_changed
        from networking_app.console.services import invitation_redeem_at_signup, invitations_forget

        register_signup_step(invitation_redeem_at_signup)
        register(ClosingStep("console.invitations", order=70, run=invitations_forget))

        # The dashboard's filter form keeps the labels in the cache (reports.dashboard_choices).
        post_save.connect(labels_changed, sender=EligibilityLabel, dispatch_uid="console-labels")
        post_delete.connect(labels_changed, sender=EligibilityLabel, dispatch_uid="console-labels")
