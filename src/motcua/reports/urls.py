"""The leaders' report pages, mounted at /bao-cao/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("so-lieu.xlsx", views.report_download, name="download"),
]
