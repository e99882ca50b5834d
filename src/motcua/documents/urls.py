"""Papers of dossiers, mounted at /giay-to/."""

from django.urls import path

from motcua.core import converters  # noqa: F401 — the <id:…> path converter

from . import views

app_name = "documents"

urlpatterns = [
    path("ho-so/<id:dossier_id>/tai-len/", views.document_upload, name="upload"),
    path("<id:pk>/thay-the/", views.document_replace, name="replace"),
    path("<id:pk>/so-hoa/", views.document_digitize, name="digitize"),
    path("<id:pk>/tai-ve/", views.document_download, name="download"),
    path("thanh-phan/<id:component_id>/tai-su-dung/", views.document_reuse, name="reuse"),
    path(
        "thanh-phan/<id:component_id>/tra-cuu-csdl/",
        views.document_national_lookup,
        name="national_lookup",
    ),
]
