"""Back office of invoices, one module per concern: registries (upload, progress, report,
retry), service lines and the held queue, invoices (read-only, annulment), deposits."""

from . import billing, deposits, lines, registries, runs

__all__ = ["billing", "deposits", "lines", "registries", "runs"]
