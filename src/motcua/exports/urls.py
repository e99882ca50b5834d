"""Background exports' pages, mounted at /xuat-tep/."""

from django.urls import path

from motcua.core import converters  # noqa: F401 — the <id:…> path converter

from . import views

app_name = "exports"

urlpatterns = [
    path("so-theo-doi/", views.ledger_export, name="ledger"),
    path("<id:pk>/", views.export_status, name="status"),
    path("<id:pk>/tai-ve/", views.export_download, name="download"),
]
