"""Back office of invoices, one module per concern: registries (upload, progress, report,
retry), service lines and the held queue, invoices (read-only, annulment), deposits, clinic
price lists (loaded with the registries' reading and checks)."""

from . import billing, deposits, lines, pricelists, registries, runs

__all__ = ["billing", "deposits", "lines", "pricelists", "registries", "runs"]
