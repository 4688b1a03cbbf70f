from django.contrib.admin.apps import AdminConfig


class CreatorOpsAdminConfig(AdminConfig):
    """django.contrib.admin with the CreatorOps site as `admin.site`."""

    default_site = "config.admin_site.CreatorOpsAdminSite"
