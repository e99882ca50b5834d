"""Actions that `can()` decides, and the built-in roles that bundle them.

Roles are rows (accounts.Role) so a province may add its own; the built-in ones below are
created by migration and their action lists are the permission matrix the tests prove.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # Dossiers (hồ sơ): the lifecycle comes in a later issue; the grants exist from day one.
    DOSSIER_VIEW = "dossier.view", _("View dossiers")
    DOSSIER_RECEIVE = "dossier.receive", _("Receive dossiers and return results")
    DOSSIER_PROCESS = "dossier.process", _("Process dossiers")
    DOSSIER_ASSIGN = "dossier.assign", _("Assign dossiers to officials")
    DOSSIER_APPROVE = "dossier.approve", _("Approve results")
    DOSSIER_SIGN = "dossier.sign", _("Sign results and letters")
    # Online dossiers enter only through the national portal's intake identity (a system
    # account), never through an official's session (DOMAIN.md decision 13).
    DOSSIER_INTAKE = "dossier.intake", _("Deliver online dossiers (national portal intake)")
    # Catalog and workflows.
    CATALOG_MANAGE = "catalog.manage", _("Manage the procedure catalog")
    WORKFLOW_MANAGE = "workflow.manage", _("Manage processing workflows")
    # Organization and people.
    AGENCY_VIEW = "agency.view", _("View agencies")
    AGENCY_MANAGE = "agency.manage", _("Manage agencies and desks")
    OFFICIAL_VIEW = "official.view", _("View officials and their grants")
    OFFICIAL_MANAGE = "official.manage", _("Manage officials and grant roles")
    # Oversight and operations.
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    REPORT_VIEW = "report.view", _("View reports")
    # Citizens' ratings of their dossiers and their questions sent on the national portal
    # (motcua.feedback): leaders read them for their units and answer the questions.
    FEEDBACK_VIEW = "feedback.view", _("View ratings and citizens' questions")
    FEEDBACK_ANSWER = "feedback.answer", _("Answer citizens' questions from the national portal")
    SYSTEM_OPERATE = "system.operate", _("Operate the system (integrations, queues, health)")


A = Action

# code: (Vietnamese name, English name, actions)
BUILTIN_ROLES: dict[str, tuple[str, str, list[str]]] = {
    "receiving_officer": (
        "Cán bộ tiếp nhận",
        "Receiving officer",
        [A.DOSSIER_VIEW, A.DOSSIER_RECEIVE],
    ),
    "specialist": (
        "Chuyên viên xử lý",
        "Specialist",
        [A.DOSSIER_VIEW, A.DOSSIER_PROCESS],
    ),
    "unit_leader": (
        "Lãnh đạo phòng",
        "Unit leader",
        [
            A.DOSSIER_VIEW,
            A.DOSSIER_PROCESS,
            A.DOSSIER_ASSIGN,
            A.DOSSIER_APPROVE,
            A.REPORT_VIEW,
            A.FEEDBACK_VIEW,
            A.FEEDBACK_ANSWER,
        ],
    ),
    "agency_leader": (
        "Lãnh đạo cơ quan",
        "Agency leader",
        [
            A.DOSSIER_VIEW,
            A.DOSSIER_ASSIGN,
            A.DOSSIER_APPROVE,
            A.DOSSIER_SIGN,
            A.REPORT_VIEW,
            A.FEEDBACK_VIEW,
            A.FEEDBACK_ANSWER,
        ],
    ),
    "catalog_admin": (
        "Quản trị danh mục TTHC",
        "Catalog administrator",
        [A.CATALOG_MANAGE, A.WORKFLOW_MANAGE, A.AGENCY_VIEW],
    ),
    "province_admin": (
        "Quản trị hệ thống cấp tỉnh",
        "Province administrator",
        [
            A.AGENCY_VIEW,
            A.AGENCY_MANAGE,
            A.OFFICIAL_VIEW,
            A.OFFICIAL_MANAGE,
            A.AUDIT_VIEW,
            A.REPORT_VIEW,
        ],
    ),
    "system_operator": (
        "Cán bộ vận hành hệ thống",
        "System operator",
        [A.SYSTEM_OPERATE, A.AGENCY_VIEW, A.AUDIT_VIEW],
    ),
    "national_portal": (
        "Cổng Dịch vụ công quốc gia (tài khoản hệ thống)",
        "National portal intake (system account)",
        [A.DOSSIER_INTAKE],
    ),
    # A ministry's system or the national coordination system handing dossiers to the
    # province (DOMAIN-integration.md §5, the inbound flow): it delivers them like the portal.
    "external_system": (
        "Hệ thống của bộ, ngành / Hệ thống điều phối (tài khoản hệ thống)",
        "Ministry or coordination system intake (system account)",
        [A.DOSSIER_INTAKE],
    ),
    "inspector": (
        "Thanh tra, kiểm tra (chỉ xem)",
        "Read-only inspector",
        [
            A.DOSSIER_VIEW,
            A.AGENCY_VIEW,
            A.OFFICIAL_VIEW,
            A.AUDIT_VIEW,
            A.REPORT_VIEW,
            A.FEEDBACK_VIEW,
        ],
    ),
}

# Actions that open the back-office administration site.
ADMIN_SITE_ACTIONS = {
    A.AGENCY_VIEW,
    A.AGENCY_MANAGE,
    A.OFFICIAL_VIEW,
    A.OFFICIAL_MANAGE,
    A.CATALOG_MANAGE,
    A.WORKFLOW_MANAGE,
    A.AUDIT_VIEW,
    A.SYSTEM_OPERATE,
}
