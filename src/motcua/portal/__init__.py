"""Cổng thông tin cho người dân: the citizen-facing pages (procedure catalog). Views only."""
