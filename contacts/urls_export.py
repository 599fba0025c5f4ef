from django.urls import path

from contacts.views import exports

urlpatterns: list = [
    path("contacts/export/", exports.export_page, name="export"),
    path("contacts/export/contacts.csv", exports.export_csv, name="export_csv"),
    path("contacts/export/contacts.vcf", exports.export_vcard, name="export_vcard"),
]
