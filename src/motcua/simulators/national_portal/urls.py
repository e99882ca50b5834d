"""Mounted at sim/dvcqg/ by motcua.urls; empty unless settings.SIMULATORS_ENABLED.

Deciding here keeps the project's URLconf to one include line, and a production install
(SIMULATORS_ENABLED=false) serves no simulator route at all.
"""

from django.conf import settings
from django.urls import path

from . import feedback, files, intake, sync, views

app_name = "sim_national_portal"

urlpatterns = (
    [
        path(
            "api/v1/submitting/formality/list-all-public-formality-by-citizen",
            views.formality_list,
            name="formality_list",
        ),
        path(
            "api/v1/configuring/formality/get-formality-by-citizen",
            views.formality_get,
            name="formality_get",
        ),
        path(
            "api/v1/configuring/province-vn/list-by-citizen",
            views.province_list,
            name="province_list",
        ),
        path("_control", views.control, name="control"),
        # Dossier sync (sync.py): Style A's log-in and service envelope, Style B's URLs.
        path("lgsp/auth", sync.auth, name="sync_auth"),
        path("lgsp/service", sync.service, name="sync_service"),
        path("KetNoiMotCuaQuocGia/ThemMoiHoSo", sync.b_create, name="sync_b_create"),
        path("KetNoiMotCuaQuocGia/CapNhatHoSo", sync.b_update, name="sync_b_update"),
        path("KetNoiMotCuaQuocGia/DongBoTienTrinh", sync.b_progress, name="sync_b_progress"),
        path("KetNoiMotCuaQuocGia/DongBoTrangThaiHoSoKM", sync.b_status, name="sync_b_status"),
        path("_faults", sync.faults, name="faults"),
        # Files handed over by address (§9.2): the portal's store and the province's proxy.
        path("files/<str:file_id>/<str:name>", files.file_get, name="file"),
        path("KetNoiMotCuaQuocGia/getfile", files.getfile, name="getfile"),
        # Intake (DOMAIN-integration.md §9.4): the DVC liên thông pull API and its queue.
        path("lienthong/api/token", intake.pull_token, name="pull_token"),
        path(
            "lienthong/api/lienthongdvclt/hosolienthong",
            intake.pull_list,
            name="pull_list",
        ),
        path(
            "lienthong/api/lienthongdvclt/hosolienthong/<str:package_id>",
            intake.pull_detail,
            name="pull_detail",
        ),
        path(
            "lienthong/api/lienthongdvclt/capnhatdanhan",
            intake.pull_mark_received,
            name="pull_mark_received",
        ),
        path("_intake/queue", intake.control_queue, name="intake_queue"),
        # Ratings and questions (feedback.py): seed the questions citizens sent on the portal.
        path("_hoidap", feedback.control, name="feedback_control"),
    ]
    if settings.SIMULATORS_ENABLED
    else []
)
