# Services are grouped by concern in the modules of this package; import from them directly
# (e.g. `from invoices.services.status import invoice_mark_paid`).
