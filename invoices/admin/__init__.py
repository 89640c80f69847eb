"""Back office of invoices, one module per concern: registries (upload, progress, report,
retry), service lines and the held queue, invoices (read-only, annulment), deposits, instalment schedules (cancel)."""

from . import billing, deposits, instalments, lines, registries, runs

__all__ = ["billing", "deposits", "instalments", "lines", "registries", "runs"]
