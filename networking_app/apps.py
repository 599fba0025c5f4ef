from django.contrib.admin.apps import AdminConfig


class RapportAdminConfig(AdminConfig):
    default_site = "networking_app.accounts.admin_site.RapportAdminSite"
