"""Mounted at sim/ky-so/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_remote_signing"

urlpatterns = (
    [
        path("csc/v2/credentials/list", views.credentials_list, name="credentials_list"),
        path("csc/v2/credentials/info", views.credentials_info, name="credentials_info"),
        path("csc/v2/signatures/signHash", views.sign_hash, name="sign_hash"),
        path("csc/v2/signatures/status", views.status, name="status"),
        path("xac-nhan/", views.pending, name="pending"),
        path("xac-nhan/<str:transaction_id>/", views.confirm, name="confirm"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
