"""Adapter for the national public service portal (Cổng DVC quốc gia).

catalog.py reads the procedure catalog; settings.NATIONAL_PORTAL_URL picks the real portal or
the simulator (motcua.simulators.national_portal).
"""

from .catalog import (
    CatalogPage,
    NationalCatalogClient,
    NationalPortalError,
    client_from_settings,
)

__all__ = ["CatalogPage", "NationalCatalogClient", "NationalPortalError", "client_from_settings"]
