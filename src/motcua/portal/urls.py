"""Citizen pages of the procedure catalog, under /thu-tuc/ (human Vietnamese URLs)."""

from django.urls import path

from motcua.core import converters  # noqa: F401 — the <id:…> path converter

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.procedure_list, name="procedures"),
    path("toan-trinh/", views.full_online, name="full_online"),
    path("toan-trinh/<id:pk>.xlsx", views.full_online_export, name="full_online_export"),
    path("linh-vuc/<str:code>/", views.field_browse, name="field"),
    path("su-kien/<slug:code>/", views.life_event_browse, name="life_event"),
    path("mau/<id:pk>/", views.form_template_download, name="form_template"),
    path("<str:code>/", views.procedure_detail, name="procedure"),
]
