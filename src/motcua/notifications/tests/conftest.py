"""The gateways' simulators on live_server and the dossier world (people/tests/conftest.py)."""

from motcua.people.tests import conftest as _people

world = _people.world
catalog_admin = _people.catalog_admin
birth_form = _people.birth_form
reloaded = _people.reloaded
registers = _people.registers
