from django.contrib.auth import views as auth_views
from django.urls import include, path

from motcua.api import api
from motcua.core import views as core_views
from motcua.core.admin_site import site as admin_site
from motcua.feedback import views as feedback_views
from motcua.outbox import views as outbox_views
from motcua.portal import kiosk, tracking

# Under /api/v1/ an unknown address answers the API's JSON error body.
handler404 = "motcua.core.views.not_found"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sau-dang-nhap/", core_views.after_login, name="after_login"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", outbox_views.metrics, name="metrics"),
    path("van-hanh/chuyen-phat/", outbox_views.deliveries, name="outbox_deliveries"),
    path("thu-tuc/", include("motcua.portal.urls")),
    path("tra-cuu-ho-so/", tracking.tracking, name="tracking"),
    path("ki-ot/", kiosk.kiosk_home, name="kiosk"),
    path("ki-ot/thoat/", kiosk.kiosk_exit, name="kiosk_exit"),
    path("tra-cuu-ho-so/danh-gia/", feedback_views.rate, name="rating"),
    path("xac-thuc/", include("motcua.signing.urls")),
    path("ho-so/", include("motcua.dossiers.urls")),
    path("giay-to/", include("motcua.documents.urls")),
    path("chung-thuc/", include("motcua.certification.urls")),
    path("xuat-tep/", include("motcua.exports.urls")),
    path("", include("motcua.citizens.urls")),
    path("bao-cao/", include("motcua.reports.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("sim/dvcqg/", include("motcua.simulators.national_portal.urls")),
    path("sim/dancu/", include("motcua.simulators.population.urls")),
    path("sim/dkkd/", include("motcua.simulators.business_registry.urls")),
    path("sim/tin-nhan/", include("motcua.simulators.messaging.urls")),
    path("sim/bo-nganh/", include("motcua.simulators.ministry.urls")),
    path("sim/vneid/", include("motcua.simulators.vneid.urls")),
    path("sim/tsa/", include("motcua.simulators.tsa.urls")),
    path("sim/thanh-toan/", include("motcua.simulators.payment_platform.urls")),
    path("sim/ky-so/", include("motcua.simulators.remote_signing.urls")),
]
