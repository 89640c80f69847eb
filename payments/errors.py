class PaymentError(Exception):
    """A payment rule refused the operation; the message is shown to the user as is."""


class PaymentInvoiceNotFound(PaymentError):
    """An invoice id the user may not see: answered as 404, so ids reveal nothing."""


class PaymentUnavailable(PaymentError):
    """The provider did not answer; the payment stays pending and can be resumed."""
