"""Mounted at sim/vneid/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_vneid"

urlpatterns = (
    [
        path(".well-known/openid-configuration", views.discovery, name="discovery"),
        path("jwks", views.jwks, name="jwks"),
        path("authorize", views.authorize, name="authorize"),
        path("token", views.token, name="token"),
        path("userinfo", views.userinfo, name="userinfo"),
        path("end-session", views.end_session, name="end_session"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
