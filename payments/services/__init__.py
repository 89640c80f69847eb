"""Payment steps: start, checkout at the provider, settle from the provider's word, expire,
reconcile, notifications, bank transfers.

Exactly-once rests on three things, not on timing:
- `invoices_hold_for_payment` locks the invoices and refuses any that are not payable, and the
  partial unique constraint `one_live_payment_per_invoice` backs it in the database;
- every change of a Payment happens under its row lock, from its current state, so a
  notification, the user's return and the reconciler can all arrive at once and only the first
  settles;
- the provider's state is always fetched, never read from a notification body.

By concern: `checkout` (start, create at the provider, close), `settle` (apply the provider's
state, sync), `notifications`, `reconcile` (the beat job), `bank` (transfers entered in admin).
"""

from .bank import bank_transfer_record
from .checkout import payment_checkout, payment_close, payment_start
from .notifications import (
    notification_process,
    notification_rate_exceeded,
    notification_receive,
)
from .reconcile import payment_reconcile, payments_reconcile_pending
from .settle import payment_apply, payment_sync

__all__ = [
    "bank_transfer_record",
    "notification_process",
    "notification_rate_exceeded",
    "notification_receive",
    "payment_apply",
    "payment_checkout",
    "payment_close",
    "payment_reconcile",
    "payment_start",
    "payment_sync",
    "payments_reconcile_pending",
]
