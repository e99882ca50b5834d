"""Mounted at sim/bo-nganh/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "sim_ministry"

urlpatterns = (
    [
        path("<slug:system>/TiepNhanHoSo", views.handover, name="handover"),
        path("<slug:system>/TraCuuTienTrinh", views.reports, name="reports"),
        path("<slug:system>/nhat-ky", views.log, name="log"),
        path("<slug:system>/_settle", views.settle, name="settle"),
        path("<slug:system>/_push", views.push, name="push"),
        path("<slug:system>/LayDanhSachHoSo", views.inbound_list, name="inbound_list"),
        path("<slug:system>/XacNhanDaNhan", views.inbound_mark, name="inbound_mark"),
        path("<slug:system>/CapNhatTienTrinh", views.progress, name="progress"),
        path("<slug:system>/tep/<str:name>", views.file, name="file"),
        path("_faults", views.faults, name="faults"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
