"""Back office of invoices, one module per concern: registries (upload, progress, report,
retry), service lines and the held queue, invoices (read-only, annulment), deposits, clinic
price lists (loaded with the registries' reading and checks), the penalty ledger and its waiver,
instalment schedules (cancel)."""

from . import billing, deposits, instalments, lines, penalty, pricelists, registries, runs

__all__ = [
    "billing",
    "deposits",
    "instalments",
    "lines",
    "penalty",
    "pricelists",
    "registries",
    "runs",
]
