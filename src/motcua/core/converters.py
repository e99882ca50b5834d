"""Path converters: `<id:pk>` is a database id, 1 to 18 digits.

Django's `<int:…>` takes any number of digits, and a 30-digit id reached the database (SQLite
cannot bind it, PostgreSQL overflows bigint): a 500 on a page. An id that cannot exist now
simply does not match, so the page answers 404, like the API's bounded ids (core/schemas.py).
"""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
