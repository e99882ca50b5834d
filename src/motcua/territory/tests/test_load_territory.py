import pytest

from motcua.core.textnorm import fold
from motcua.territory.models import Commune, DataLoad, Province
from motcua.territory.services import territory_load

pytestmark = pytest.mark.django_db


def test_loads_34_provinces_and_3321_communes():
    # The session fixture ran the loader on the test database.
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert Commune.objects.filter(province_id=82).count() == 102
    assert Province.objects.get(pk=82).name == "Đồng Tháp"


def test_records_the_data_version():
    load = DataLoad.objects.get()
    assert load.source == "vietnam-provinces"
    assert load.package_version == "2025.10.1"
    assert load.data_version == "2025-10-18"
    assert (load.provinces, load.communes, load.created) == (34, 3321, 3355)


def test_running_twice_changes_nothing():
    before = list(Commune.objects.order_by("code").values_list("code", "name", "province_id"))
    result = territory_load()
    assert (result.created, result.updated) == (0, 0)
    assert result.data_load is None
    assert DataLoad.objects.count() == 1
    after = list(Commune.objects.order_by("code").values_list("code", "name", "province_id"))
    assert before == after


def test_reload_repairs_a_changed_row():
    Commune.objects.filter(pk=28261).update(name="Sai tên", name_folded="sai ten")
    result = territory_load()
    assert (result.created, result.updated) == (0, 1)
    commune = Commune.objects.get(pk=28261)
    assert commune.name == "Phường Mỹ Tho"
    assert commune.name_folded == fold("Phường Mỹ Tho")
    assert DataLoad.objects.count() == 2


def test_command_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("load_territory")
    out = capsys.readouterr().out
    assert "2025-10-18" in out
    assert DataLoad.objects.count() == 1
