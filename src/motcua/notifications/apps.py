from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Thông báo cho người nộp hồ sơ: an SMS and an e-mail per status change of a dossier."""

    name = "motcua.notifications"
    verbose_name = _("Notifications to applicants")
