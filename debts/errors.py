class DebtError(Exception):
    """A debt-path step that cannot be done; the message is shown to the operator."""
