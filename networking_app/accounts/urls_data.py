from django.urls import path

from networking_app.accounts import views_data, views_retention

urlpatterns: list = [
    path("account/data/", views_data.data_page, name="account_data"),
    path("account/data/download/", views_data.data_download, name="account_data_download"),
    path("account/delete/", views_data.delete_view, name="account_delete"),
    path("account/deleted/", views_data.deleted_view, name="account_deleted"),
    # The notice to an inactive graduate links here (accounts/retention.py).
    path("account/keep/", views_retention.keep_view, name="account_keep"),
]
