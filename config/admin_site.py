"""The CreatorOps admin site: `django.contrib.admin.site` is this site (config.apps installs it
as the admin's default site), so every app keeps registering with `@admin.register`."""

from django.urls import reverse_lazy

from core.admin_site import MenuAdminSite
from settings_app.lockout import LockoutAdminAuthenticationForm

from .admin_menu import APP_ORDER, MENU


class CreatorOpsAdminSite(MenuAdminSite):
    site_header = "CreatorOps"
    site_title = "CreatorOps admin"
    index_title = "Back office"
    # The header's site link ("API docs"): there is no public site; staff open the API docs.
    site_url = reverse_lazy("api-docs")
    # Repeated failed logins lock the username+IP out for a while (settings_app.lockout).
    login_form = LockoutAdminAuthenticationForm
    app_order = APP_ORDER
    menu = MENU
