"""«Оплатить частями» (SPEC §3.8): the payer chooses 2 or 3 parts, sees the schedule, confirms.

Thin: the invoice comes through the access rule of «Мои счета» (another user's id is a 404),
the split is one service call; the payment of a part is the ordinary «ОПЛАТИТЬ» of the list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dms_portal.money import format_rub

from .. import selectors
from ..errors import InvoiceStateError
from ..models import Invoice
from .selectors import schedule_options, split_refusal
from .services import instalment_plan_create


def _invoice_of_payer(request, pk: int) -> Invoice:
    """The invoice if the user is the one who pays it (himself, or as a sponsor), else 404."""
    try:
        invoice = selectors.invoice_head_for_user(request.user, pk)
    except Invoice.DoesNotExist as exc:
        raise Http404("Счёт не найден.") from exc
    if invoice.payer.user_id != request.user.pk:
        raise Http404("Счёт не найден.")
    return invoice


@login_required
@require_http_methods(["GET", "POST"])
def instalments(request, pk: int):
    invoice = _invoice_of_payer(request, pk)
    error = ""
    chosen = request.POST.get("parts", "")
    if request.method == "POST":
        try:
            plan = instalment_plan_create(
                invoice_id=invoice.pk, parts=int(chosen or 0), user=request.user
            )
        except ValueError:
            error = "Выберите 2 или 3 части"
        except Invoice.DoesNotExist as exc:
            raise Http404("Счёт не найден.") from exc
        except InvoiceStateError as exc:
            error = str(exc)
        else:
            first = plan.parts.order_by("number").first()
            messages.success(
                request,
                f"Счёт {invoice.number} разбит на {plan.parts_count} части. Первая часть — "
                f"{format_rub(first.amount)} до {first.due_date:%d.%m.%Y}.",
            )
            return redirect("invoices:my_invoices")
    refusal = split_refusal(invoice)
    return render(
        request,
        "invoices/instalments.html",
        {
            "invoice": invoice,
            "refusal": refusal,
            "options": [] if refusal else schedule_options(invoice),
            "error": error,
            "chosen": chosen,
        },
        status=400 if error else 200,
    )
