from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The career office's console: programme dashboard, reports and administration."""

    name = "networking_app.console"
    label = "console"

    def ready(self) -> None:
        from networking_app.accounts.closing import ClosingStep, register
        from networking_app.accounts.hooks import register_signup_step
        from networking_app.console.services import invitation_redeem_at_signup, invitations_forget

        register_signup_step(invitation_redeem_at_signup)
        register(ClosingStep("console.invitations", order=70, run=invitations_forget))
