"""«Оплатить частями» (SPEC §3.8): an invoice split by its payer into 2 or 3 monthly parts.

- `schedule`: the arithmetic alone (kopeck-exact amounts, month-apart dates);
- `models`: the plan (one active per invoice, a database constraint) and its parts;
- `services`: split, cancel, and keeping the parts true when a dispute changes the invoice;
- `selectors`: what the payer may split and what the screens show.

A paid part is money received: `invoices.money` subtracts paid parts from ИТОГО К ОПЛАТЕ, and
`invoices.services.status.invoice_part_mark_paid` is the one place a part becomes paid.
"""
