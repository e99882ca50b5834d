"""Content documents for catalog tests: a complete one, built from real birth registration."""

from __future__ import annotations

import copy
from typing import Any

EFORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Tờ khai đăng ký khai sinh",
    "required": ["ho_ten_tre", "ngay_sinh"],
    "properties": {
        "ho_ten_tre": {"type": "string", "title": "Họ, chữ đệm, tên của trẻ", "minLength": 1},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày, tháng, năm sinh"},
    },
}

BIRTH: dict[str, Any] = {
    "code": "1.001193",
    "name": "Thủ tục đăng ký khai sinh",
    "field_code": "G15-TP07",
    "field_name": "Hộ tịch",
    "level": "commune",
    "online_level": "full",
    "channels": ["direct", "online", "post"],
    "subjects": "Công dân Việt Nam",
    "steps": "Người yêu cầu nộp hồ sơ; công chức tư pháp - hộ tịch kiểm tra và ghi vào Sổ.",
    "result_name": "Giấy khai sinh",
    "result_validity": "Không thời hạn",
    "eform": EFORM,
    "times": [{"channel": None, "amount": 1, "unit": "working_days", "cutoff": "15:00"}],
    "fees": [
        {
            "kind": "charge",
            "name": "Lệ phí đăng ký khai sinh",
            "amount_vnd": 0,
            "exemptions": "Miễn lệ phí đăng ký khai sinh đúng hạn",
            "basis": "Thông tư 85/2019/TT-BTC",
        }
    ],
    "components": [
        {
            "name": "Tờ khai đăng ký khai sinh theo mẫu",
            "originals": 1,
            "form_required": True,
            "form_template": "TP-HT-KS",
        },
        {
            "name": "Giấy chứng sinh",
            "originals": 1,
            "reuse": "national_database",
            "reuse_source_name": "Cơ sở dữ liệu hộ tịch điện tử",
        },
        {
            "name": "Văn bản ủy quyền",
            "originals": 1,
            "requirement": "conditional",
            "condition": "Trường hợp ủy quyền đăng ký khai sinh",
        },
    ],
    "legal_bases": [
        {"number": "60/2014/QH13", "title": "Luật Hộ tịch", "issued_on": "2014-11-20"},
        {"number": "123/2015/NĐ-CP", "title": "Nghị định hướng dẫn Luật Hộ tịch"},
    ],
    "decision_number": "163/QĐ-BTP",
    "decision_date": "2026-01-16",
    "decision_issuer": "Bộ Tư pháp",
    "effective_from": "2026-02-01",
}


def document(**changes: Any) -> dict[str, Any]:
    """A complete document, with top-level `changes` applied."""
    doc = copy.deepcopy(BIRTH)
    doc.update(changes)
    return doc
