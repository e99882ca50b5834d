"""Mounted at sim/tin-nhan/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_messaging"

urlpatterns = (
    [
        path("sms", views.sms, name="sms"),
        path("email", views.email, name="email"),
        path("hop-thu", views.inbox, name="inbox"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
