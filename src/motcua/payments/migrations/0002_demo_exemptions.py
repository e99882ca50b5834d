"""The demo's exemption categories: the civil-status charge exemptions of the Law on Civil
Status 2014 (Luật Hộ tịch số 60/2014/QH13), art. 11 cl. 1 point a. A province edits the list in
the admin and adds the categories of its People's Council's resolutions."""

from django.db import migrations

CATEGORIES = [
    ("gia-dinh-co-cong", "Người thuộc gia đình có công với cách mạng (đăng ký hộ tịch)"),
    ("ho-ngheo", "Người thuộc hộ nghèo (đăng ký hộ tịch)"),
    ("nguoi-khuyet-tat", "Người khuyết tật (đăng ký hộ tịch)"),
]
BASIS = "Luật Hộ tịch số 60/2014/QH13, Điều 11 khoản 1 điểm a (miễn lệ phí đăng ký hộ tịch)"


def seed(apps, schema_editor):
    Category = apps.get_model("payments", "ExemptionCategory")
    for key, name in CATEGORIES:
        Category.objects.get_or_create(
            key=key, defaults={"name": name, "basis": BASIS, "kinds": ["charge"], "percent": 100}
        )


def unseed(apps, schema_editor):
    apps.get_model("payments", "ExemptionCategory").objects.filter(
        key__in=[k for k, _ in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
