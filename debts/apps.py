from django.apps import AppConfig


class DebtsConfig(AppConfig):
    """The debt path (SPEC §3.6): reminders, overdue downgrade, call list, employer reports.

    A deliberate deviation from ARCHITECTURE.md ("the debt path lives in invoices"): one concern
    per app. It imports only models and services of invoices, policies and notifications;
    nothing imports debts except its own tasks, commands and admin.
    """

    name = "debts"
    verbose_name = "Задолженность"
