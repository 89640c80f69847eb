"""«Это был не я» on a line not yet invoiced (SPEC §3.8): the ServiceLine side of a dispute.

While the dispute is open the line carries `dispute_open` and the invoice run leaves it out.
Accepted: the line is dismissed and never billed. Rejected: the flag clears and the next run
bills it. The appeal side (events, audit, notices) stays in services.py.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_log
from invoices.models import ServiceLine

from .errors import FeedbackError

L = ServiceLine.Status


def service_line_dispute_open(*, line_id: int, actor) -> ServiceLine:
    """Lock the line and mark it disputed; inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("service_line_dispute_open needs a transaction")
    line = ServiceLine.objects.select_for_update().get(pk=line_id)
    if line.status != L.LOADED:
        raise FeedbackError(
            f"Услуга «{line.service_name}» уже вошла в счёт или снята: "
            "оспорить её можно из счёта в разделе «Мои счета»"
        )
    if line.dispute_open:
        raise FeedbackError(f"Услуга «{line.service_name}» уже оспаривается")
    line.dispute_open = True
    line.save(update_fields=["dispute_open"])
    audit_log(action="service_line.dispute_open", actor=actor, target=line)
    return line


def service_line_dispute_close(*, line_id: int, accepted: bool, actor) -> ServiceLine:
    """The expert's decision on an upcoming line; inside the caller's transaction."""
    line = ServiceLine.objects.select_for_update().get(pk=line_id)
    fields = ["dispute_open"]
    line.dispute_open = False
    # Only a line still waiting is dismissed: one billed meanwhile (it cannot be, while the
    # flag holds it out of runs) or dismissed by an operator keeps its status.
    if accepted and line.status == L.LOADED:
        line.status = L.DISMISSED
        fields.append("status")
    line.save(update_fields=fields)
    audit_log(
        action="service_line.dispute_close",
        actor=actor,
        target=line,
        accepted=accepted,
        status=line.status,
    )
    return line


def service_line_summary(line: ServiceLine) -> str:
    return f"«{line.service_name}» от {line.service_date:%d.%m.%Y}"
