from django.urls import path

from contacts.views import people

urlpatterns: list = [
    path("contacts/", people.contact_list, name="list"),
    path("contacts/new/", people.contact_create, name="create"),
    path("contacts/<int:contact_id>/", people.contact_detail, name="detail"),
    path("contacts/<int:contact_id>/edit/", people.contact_edit, name="edit"),
    path("contacts/<int:contact_id>/delete/", people.contact_delete, name="delete"),
    path("contacts/<int:contact_id>/merge/", people.contact_merge, name="merge"),
    path(
        "contacts/<int:contact_id>/interactions/",
        people.interaction_add,
        name="interaction_add",
    ),
    path(
        "interactions/<int:interaction_id>/delete/",
        people.interaction_delete,
        name="interaction_delete",
    ),
    path("targets/", people.target_list, name="targets"),
    path("targets/<int:target_id>/edit/", people.target_edit, name="target_edit"),
    path("targets/<int:target_id>/delete/", people.target_delete, name="target_delete"),
]
