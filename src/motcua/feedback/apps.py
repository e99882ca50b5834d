from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Đánh giá và hỏi đáp: the applicants' satisfaction ratings of their dossiers, and the
    questions citizens send on the national portal, answered by the agency they name."""

    name = "motcua.feedback"
    verbose_name = _("Ratings and questions")
