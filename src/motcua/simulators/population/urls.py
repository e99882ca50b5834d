"""Mounted at sim/dancu/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_population"

urlpatterns = (
    [
        path("tra-cuu", views.lookup, name="lookup"),
        path("nhat-ky", views.log_page, name="log"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
