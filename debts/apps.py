from django.apps import AppConfig


class DebtsConfig(AppConfig):
    """The debt path (SPEC §3.6): reminders, overdue downgrade, call list, employer reports.

    A deliberate deviation from ARCHITECTURE.md ("the debt path lives in invoices"): one concern
    per app. It imports only models and services of invoices, policies and notifications;
    nothing imports debts except its own tasks, commands and admin.
    """

    name = "debts"
    verbose_name = "Задолженность"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the models exist.
        from invoices.signals import instalment_paid, invoices_paid

        from .receivers import restore_after_payment

        invoices_paid.connect(restore_after_payment, dispatch_uid="debts.restore_after_payment")
        # A paid instalment may settle what was overdue while parts remain (SPEC §3.8).
        instalment_paid.connect(restore_after_payment, dispatch_uid="debts.restore_after_part")
