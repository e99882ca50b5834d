"""Simulator of the national public service portal (Cổng DVC quốc gia, 2026 API).

Serves the real records captured from the portal (see data/README.md) over the portal's own
protocol, so the catalog adapter is exercised exactly as in production.
"""
