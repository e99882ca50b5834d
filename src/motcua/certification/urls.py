"""Certified copies, mounted at /chung-thuc/."""

from django.urls import path

from motcua.core import converters  # noqa: F401 — the <id:…> path converter

from . import views

app_name = "certification"

urlpatterns = [
    path("", views.certify, name="certify"),
    path("so/", views.book, name="book"),
    path("so.xlsx", views.book_xlsx, name="book_xlsx"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/ban-sao.pdf", views.pdf, name="pdf"),
]
