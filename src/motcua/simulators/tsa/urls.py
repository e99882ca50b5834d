"""Mounted at sim/tsa/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_tsa"

urlpatterns = (
    [
        path("", views.timestamp, name="timestamp"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
