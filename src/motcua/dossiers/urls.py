"""The officials' dossier pages, mounted at /ho-so/."""

from django.urls import path

from motcua.core import converters  # noqa: F401 — the <id:…> path converter

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("tiep-nhan/", views.dossier_receive, name="receive"),
    path("phan-cong/", views.dossier_assign_bulk, name="assign_bulk"),
    path("xuat-tep/", views.dossier_export, name="export"),
    path("canh-bao/<id:pk>/da-xem/", views.warning_seen, name="warning_seen"),
    path("<id:pk>/", views.dossier_detail, name="detail"),
    path("<id:pk>/du-thao-ket-qua/", views.dossier_result_draft, name="result_draft"),
    path("<id:pk>/<slug:slug>/", views.dossier_action, name="action"),
]
