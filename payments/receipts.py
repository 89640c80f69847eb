"""The fiscal receipt (54-FZ) of a payment: one item per invoice, VAT «без НДС»; an invoice's
penalty paid with it is an item of its own, «Неустойка по счёту N».

Why a separate item: a penalty is not a payment for the insured service but a sanction for the
delay, so it carries its own name and «предмет расчёта» on the receipt (tag 1212 «иной
предмет расчёта», `another`, valid in ФФД 1.05 and 1.2 and accepted by YooKassa), and the
buyer sees what the sum is made of. Items still add up to the payment's amount exactly.
"""

from decimal import Decimal

VAT_NONE = 1  # YooKassa vat_code 1: «без НДС» (an insurance deductible is not subject to VAT)
ZERO = Decimal("0.00")


def _item(description: str, amount: Decimal, subject: str) -> dict:
    return {
        "description": description[:128],
        "quantity": "1.00",
        "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
        "vat_code": VAT_NONE,
        "payment_mode": "full_payment",
        "payment_subject": subject,
    }


def receipt_build(*, links, phone: str = "", email: str = "") -> dict:
    """`links`: (invoice number, amount charged) or (number, amount, penalty part of it) in a
    stable order. The co-pay item is the amount less the penalty; an item of zero is left out
    (a receipt item must be positive)."""
    customer = {}
    if phone:
        customer["phone"] = phone.lstrip("+")
    if email:
        customer["email"] = email
    items = []
    for number, amount, *rest in links:
        penalty = min(max(rest[0] if rest else ZERO, ZERO), amount)
        if amount - penalty > 0:
            items.append(_item(f"Франшиза ДМС по счёту {number}", amount - penalty, "service"))
        if penalty > 0:
            items.append(_item(f"Неустойка по счёту {number}", penalty, "another"))
    return {"customer": customer, "items": items}
