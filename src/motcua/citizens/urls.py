from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("dang-nhap/vneid/", views.vneid_start, name="vneid_login"),
    path("dang-nhap/vneid/ket-qua/", views.vneid_callback, name="vneid_callback"),
    path("dang-xuat/vneid/", views.vneid_logout, name="vneid_logout"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("kho-du-lieu/", views.my_warehouse, name="my_warehouse"),
    path("ho-so-cua-toi/<str:code>/", views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", views.my_dossier_rate, name="my_dossier_rate"),
    path(
        "ho-so-cua-toi/<str:code>/giay-to/<slug:key>.pdf",
        views.my_dossier_notice,
        name="my_dossier_notice",
    ),
    path(
        "ho-so-cua-toi/<str:code>/bo-sung/",
        views.my_dossier_supplement,
        name="my_dossier_supplement",
    ),
]
