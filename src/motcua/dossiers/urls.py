"""The officials' dossier pages, mounted at /ho-so/."""

from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("tiep-nhan/", views.dossier_receive, name="receive"),
    path("canh-bao/<int:pk>/da-xem/", views.warning_seen, name="warning_seen"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/<slug:slug>/", views.dossier_action, name="action"),
]
