"""Mounted at sim/thanh-toan/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_payment_platform"

urlpatterns = (
    [
        path("init", views.init, name="init"),
        path("thanh-toan/<str:token>/", views.pay_page, name="pay"),
        path("truy-van", views.check, name="check"),
        path("bien-lai", views.receipt, name="receipt"),
        path("hoan-tien", views.refund, name="refund"),
        path("doi-soat", views.statement, name="statement"),
        path("giao-dich", views.transactions, name="transactions"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
