"""«История платежей» for the «Мои счета» page. A template tag rather than an import, so the
invoices app keeps knowing nothing of payments (ARCHITECTURE.md)."""

from django import template

from ..selectors import payments_for_user

register = template.Library()


@register.inclusion_tag("payments/history.html", takes_context=True)
def payment_history(context):
    request = context["request"]
    payments = list(payments_for_user(request.user, person_ids=context.get("person_ids")))
    return {"payments": payments, "user": request.user, "csrf_token": context.get("csrf_token")}
