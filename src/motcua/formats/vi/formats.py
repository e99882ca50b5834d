"""Vietnamese formats that differ from Django's: a month is "Tháng 12/2026", not "Tháng 12
2026", and a day of a month "7/12", not "7 Tháng 12" (the admin's date hierarchy shows both).
Everything not set here falls back to django/conf/locale/vi/formats.py."""

YEAR_MONTH_FORMAT = r"\T\há\n\g n/Y"
MONTH_DAY_FORMAT = "j/n"
