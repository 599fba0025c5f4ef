from django.urls import path

from contacts.views import imports

urlpatterns: list = [
    path("imports/", imports.import_start, name="import"),
    path("imports/<int:batch_id>/", imports.import_batch, name="import_batch"),
    path("imports/<int:batch_id>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:batch_id>/columns/", imports.import_mapping, name="import_mapping"),
    path("imports/<int:batch_id>/encoding/", imports.import_encoding, name="import_encoding"),
    path("imports/<int:batch_id>/choices/", imports.import_decisions, name="import_decisions"),
    path("imports/<int:batch_id>/commit/", imports.import_commit, name="import_commit"),
    path("imports/<int:batch_id>/undo/", imports.import_undo, name="import_undo"),
    path("imports/<int:batch_id>/discard/", imports.import_discard, name="import_discard"),
]
