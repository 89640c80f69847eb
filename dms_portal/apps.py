from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the two-factor site as `admin.site`."""

    default_site = "dms_portal.admin_site.PortalAdminSite"
