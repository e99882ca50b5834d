"""A ministry's centralized system / the national coordination system, simulated (§5)."""
