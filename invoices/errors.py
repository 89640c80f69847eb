class InvoiceError(Exception):
    """A domain rule refused the operation; the message is shown to the user as is."""


class InvoiceStateError(InvoiceError):
    """The invoice is not in a state that allows this transition."""
