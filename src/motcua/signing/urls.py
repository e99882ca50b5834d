"""Mounted at xac-thuc/ by motcua.urls: the public verification page."""

from django.urls import path

from . import views

app_name = "signing"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:key>/", views.verify, name="verify_key"),
]
