class FeedbackError(Exception):
    """A rule refused the step; the message is Russian and shown to the person as is."""
