from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    """Ministries' centralized systems and the national coordination system (§5)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.coordination"
    verbose_name = "Liên thông hệ thống bộ, ngành và hệ thống điều phối"
