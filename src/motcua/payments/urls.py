from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("ho-so/<int:dossier_id>/", views.dossier_payments, name="dossier"),
    path("<int:payment_id>/kiem-tra/", views.payment_check, name="check"),
    path("<int:payment_id>/hoan-tien/", views.payment_refund, name="refund"),
    path("<int:payment_id>/bien-lai.pdf", views.receipt, name="receipt"),
    path("<int:payment_id>/bien-lai-nen-tang.pdf", views.platform_receipt, name="platform_receipt"),
    path("bat-dau/", views.start_public, name="start_public"),
    path("cua-toi/<str:code>/", views.start_mine, name="start_mine"),
    path("ket-qua/", views.payment_return, name="return"),
    path("doi-soat/", views.reconciliations, name="reconciliations"),
    path("doi-soat/<int:run_id>/", views.reconciliation_detail, name="reconciliation"),
]
