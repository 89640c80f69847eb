"""Events the invoices app sends; other apps listen (invoices imports none of them).

`invoices_paid(sender=Invoice, invoices=[...])`: invoices just became ОПЛАЧЕН. Sent by
`invoice_mark_paid` once the transaction that marked them commits, through `send_robust`:
a listener runs after the payment is durable, so a failing listener (logged) can never undo
it, and no listener ever sees an invoice that a rollback would un-pay. The debt path listens
to restore the programme in the same request (SPEC §3.6); its periodic job stays the safety
net for a listener that failed or a process that died between commit and event.
"""

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)

invoices_paid = Signal()
# `instalment_paid(sender=Invoice, invoices=[...])`: a part of each was paid (SPEC §3.8) and
# parts remain (the last part sends `invoices_paid`). Sent after commit, like `invoices_paid`.
instalment_paid = Signal()


def invoices_paid_send(invoices: list) -> None:
    _send(invoices_paid, invoices)


def instalment_paid_send(invoices: list) -> None:
    _send(instalment_paid, invoices)


def _send(signal: Signal, invoices: list) -> None:
    for receiver, result in signal.send_robust(sender=invoices[0].__class__, invoices=invoices):
        if isinstance(result, Exception):
            log.error(
                "invoices signal listener %r failed",
                receiver,
                exc_info=(type(result), result, result.__traceback__),
            )
