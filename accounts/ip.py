"""django-axes asks here for the client address (AXES_CLIENT_IP_CALLABLE)."""

from dms_portal.net import client_ip, user_agent

__all__ = ["axes_client_ip", "client_ip", "user_agent"]


def axes_client_ip(request) -> str | None:
    return client_ip(request)
