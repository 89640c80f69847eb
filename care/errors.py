class CareError(Exception):
    """A request or support step that cannot be done; the message is shown to the person."""
