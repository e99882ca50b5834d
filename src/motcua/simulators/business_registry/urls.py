"""Mounted at sim/dkkd/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_business_registry"

urlpatterns = (
    [
        path("tra-cuu", views.lookup, name="lookup"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
