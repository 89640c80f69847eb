"""Responses for a logged-in user carry personal data (policies, invoices, appeals, files):
no browser or proxy cache may keep them, e.g. on a shared computer after logout."""

from django.utils.cache import add_never_cache_headers


class NoStoreForAuthenticatedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # A view that chose its own policy (downloads say "private, no-store") keeps it.
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
