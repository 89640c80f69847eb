"""The fiscal receipt (54-FZ) of a payment: one item per invoice, VAT «без НДС»."""

VAT_NONE = 1  # YooKassa vat_code 1: «без НДС» (an insurance deductible is not subject to VAT)


def receipt_build(*, links, phone: str = "", email: str = "") -> dict:
    """`links`: (invoice number, amount) pairs in a stable order."""
    customer = {}
    if phone:
        customer["phone"] = phone.lstrip("+")
    if email:
        customer["email"] = email
    return {
        "customer": customer,
        "items": [
            {
                "description": f"Франшиза ДМС по счёту {number}"[:128],
                "quantity": "1.00",
                "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
                "vat_code": VAT_NONE,
                "payment_mode": "full_payment",
                "payment_subject": "service",
            }
            for number, amount in links
        ],
    }
