"""Example contexts of every form: used by the tests, the preview script and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

# 13/02/2026 10:05 in Vietnam (UTC+7).
RECEIVED_AT = datetime(2026, 2, 13, 3, 5, tzinfo=UTC)
DUE_AT = datetime(2026, 2, 24, 9, 0, tzinfo=UTC)  # 16 giờ 00 phút, ngày 24 tháng 02 năm 2026
ISSUED_AT = RECEIVED_AT + timedelta(minutes=2)

DOSSIER_CODE = "000.00.12.H19-260213-0001"
TRACKING_URL = "https://motcua.dongthap.gov.vn/tra-cuu/?ma=000.00.12.H19-260213-0001"


def common(**overrides: Any) -> dict[str, Any]:
    """The keys every single-dossier form takes."""
    context: dict[str, Any] = {
        "agency_name": "UBND TỈNH ĐỒNG THÁP",
        "unit_name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "place": "Đồng Tháp",
        "issued_at": ISSUED_AT,
        "dossier_code": DOSSIER_CODE,
        "tracking_url": TRACKING_URL,
        "applicant": {
            "name": "Nguyễn Thị Hồng Nhung",
            "address": "Số 12 đường Lê Lợi, phường Cao Lãnh, tỉnh Đồng Tháp",
            "phone": "0912 345 678",
            "email": "nhung.nguyen@example.vn",
            "identity_number": "087189000123",
        },
        "procedure_name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "received_at": RECEIVED_AT,
        "due_at": DUE_AT,
        "signer": {"name": "Trần Văn Đức", "title": "Công chức tiếp nhận"},
    }
    context.update(overrides)
    return context


def receipt(**overrides: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        components=[
            {"name": "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)", "originals": 1, "copies": 0},
            {"name": "Giấy chứng nhận quyền sử dụng đất", "originals": 0, "copies": 1},
            {"name": "Bản vẽ thiết kế xây dựng", "originals": 2, "copies": 0},
        ],
        sets=1,
        processing_time_text="07 ngày làm việc",
        return_place="Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp",
        ledger_book="03",
        ledger_number=127,
        received_by="Trần Văn Đức",
    )
    return common(**{**defaults, **overrides})


def supplement(**overrides: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        items=[
            "Bổ sung bản vẽ mặt bằng móng có chữ ký của chủ đầu tư",
            "Hoàn thiện đơn đề nghị: ghi rõ diện tích xây dựng tầng một",
        ],
        reason="Hồ sơ chưa đủ thành phần theo quy định tại Điều 46 Nghị định 175/2024/NĐ-CP",
        contact={"name": "Lê Thị Thu Hằng", "phone": "0277 3851 234"},
        signer={"name": "Lê Thị Thu Hằng", "title": "Người hướng dẫn"},
    )
    return common(**{**defaults, **overrides})


def refusal(**overrides: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        reasons=[
            "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân tỉnh",
            "Người nộp không cung cấp được giấy tờ chứng minh quyền sử dụng đất",
        ],
    )
    return common(**{**defaults, **overrides})


def apology(**overrides: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        original_due_at=DUE_AT,
        new_due_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        reason="Cần lấy ý kiến thẩm định của Sở Xây dựng về chỉ giới xây dựng",
        agency_at_fault="Phòng Kinh tế, Hạ tầng và Đô thị",
        sequence=1,
        signer={"name": "Phạm Quốc Hưng", "title": "Trưởng phòng"},
        issued_at=datetime(2026, 2, 23, 2, 0, tzinfo=UTC),
    )
    return common(**{**defaults, **overrides})


def stop(**overrides: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        reason="Người nộp hồ sơ có văn bản đề nghị dừng giải quyết để điều chỉnh thiết kế",
        requested_by="applicant",
        decided_by="Sở Xây dựng tỉnh Đồng Tháp",
        signer={"name": "Võ Thành Nhân", "title": "Giám đốc"},
    )
    return common(**{**defaults, **overrides})


def control_sheet(**overrides: Any) -> dict[str, Any]:
    at = RECEIVED_AT
    defaults: dict[str, Any] = dict(
        competent_agency="Sở Xây dựng tỉnh Đồng Tháp",
        cooperating_agencies=["Công an tỉnh Đồng Tháp", "Sở Nông nghiệp và Môi trường"],
        rows=[
            {
                "from_unit": "Trung tâm Phục vụ hành chính công",
                "from_person": "Trần Văn Đức",
                "to_unit": "Sở Xây dựng",
                "to_person": "Ngô Minh Tâm",
                "at": at + timedelta(hours=2),
                "outcome": "on_time",
                "note": "",
            },
            {
                "from_unit": "Sở Xây dựng",
                "from_person": "Ngô Minh Tâm",
                "to_unit": "Phòng Quản lý xây dựng",
                "to_person": "Huỳnh Thị Mỹ Duyên",
                "at": at + timedelta(days=1),
                "outcome": "early",
                "note": "Chuyển thẩm định",
            },
            {
                "from_unit": "Phòng Quản lý xây dựng",
                "from_person": "Huỳnh Thị Mỹ Duyên",
                "to_unit": "Trung tâm Phục vụ hành chính công",
                "to_person": "Trần Văn Đức",
                "at": at + timedelta(days=12),
                "outcome": "late",
                "note": "Đã có văn bản xin lỗi",
            },
            {
                "from_unit": "Trung tâm Phục vụ hành chính công",
                "from_person": "Trần Văn Đức",
                "to_unit": "Tổ chức, cá nhân",
                "to_person": "",
                "at": None,
                "outcome": None,
                "note": "",
            },
        ],
    )
    return common(**{**defaults, **overrides})


def ledger_rows(count: int) -> list[dict[str, Any]]:
    """`count` ledger rows, received over consecutive working hours."""
    names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Thị Ý Nhi"]
    procedures = [
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Đăng ký khai sinh",
        "Cấp phiếu lý lịch tư pháp",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    ]
    rows = []
    for i in range(count):
        received = RECEIVED_AT + timedelta(hours=i)
        rows.append(
            {
                "number": i + 1,
                "dossier_code": f"000.00.12.H19-260213-{i + 1:04d}",
                "procedure_name": procedures[i % len(procedures)],
                "sets": 1,
                "applicant_name": names[i % len(names)],
                "applicant_contact": f"Phường Cao Lãnh, 09{i:08d}",
                "competent_agency": "Sở Xây dựng" if i % 2 else "Sở Tư pháp",
                "received_at": received,
                "due_at": received + timedelta(days=7),
                "transferred_at": received + timedelta(hours=2),
                "result_received_at": received + timedelta(days=6) if i % 3 else None,
                "returned_at": received + timedelta(days=6, hours=3) if i % 3 else None,
                "note": "Quá hạn" if i % 7 == 0 else "",
            }
        )
    return rows


def ledger(rows: int = 8, **overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "agency_name": "UBND TỈNH ĐỒNG THÁP",
        "unit_name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "place": "Đồng Tháp",
        "issued_at": datetime(2026, 3, 31, 9, 0, tzinfo=UTC),
        "title_period": "Quý I năm 2026",
        "rows": ledger_rows(rows),
        "received_at": datetime(2026, 1, 1, 1, 0, tzinfo=UTC),
    }
    context.update(overrides)
    return context


EXAMPLES = {
    "receipt": receipt,
    "supplement": supplement,
    "refusal": refusal,
    "apology": apology,
    "stop": stop,
    "control_sheet": control_sheet,
    "ledger": ledger,
}
