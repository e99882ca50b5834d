"""The citizens the simulated population database knows: invented people of the demo province
(Đồng Tháp, code 82), with real commune codes of motcua.demo.data.COMMUNES. Identity numbers
begin with 087 (the birth-registration province code of the former Đồng Tháp) and are not
anyone's real number."""

from __future__ import annotations

PROVINCE = "82"

CITIZENS: list[dict] = [
    {
        "SoDinhDanh": "087190001234",
        "SoCMND": "341234567",
        "HoVaTen": "Nguyễn Thị Lan",
        "GioiTinh": "2",
        "NgayThangNamSinh": "1990-03-14",
        "DanToc": "Kinh",
        "TonGiao": "Không",
        "QuocTich": "VN",
        "ThuongTru": ("28261", "Số 12 đường Ấp Bắc, khu phố 3"),
        "NoiOHienTai": ("28261", "Số 12 đường Ấp Bắc, khu phố 3"),
        "QueQuan": ("29869", "Phường Cao Lãnh"),
        "ThuDienTu": "lan.nguyen@example.vn",
    },
    {
        "SoDinhDanh": "087085004321",
        "SoCMND": "",
        "HoVaTen": "Trần Văn Hùng",
        "GioiTinh": "1",
        "NgayThangNamSinh": "1985-11-02",
        "DanToc": "Kinh",
        "TonGiao": "Phật giáo",
        "QuocTich": "VN",
        "ThuongTru": ("29869", "Số 45 đường Nguyễn Huệ, khóm 2"),
        "NoiOHienTai": ("29869", "Số 45 đường Nguyễn Huệ, khóm 2"),
        "QueQuan": ("29869", "Phường Cao Lãnh"),
        "ThuDienTu": "",
    },
    {
        "SoDinhDanh": "087302007788",
        "SoCMND": "",
        "HoVaTen": "Lê Ngọc Ánh",
        "GioiTinh": "2",
        "NgayThangNamSinh": "2002-07-21",
        "DanToc": "Kinh",
        "TonGiao": "Không",
        "QuocTich": "VN",
        "ThuongTru": ("30037", "Ấp Mỹ Phước, tổ 5"),
        "NoiOHienTai": ("28261", "Số 8 đường Lê Lợi"),
        "QueQuan": ("30037", "Xã Tháp Mười"),
        "ThuDienTu": "anh.le@example.vn",
    },
    {
        "SoDinhDanh": "087068002468",
        "SoCMND": "340987654",
        "HoVaTen": "Phạm Đức Thắng",
        "GioiTinh": "1",
        "NgayThangNamSinh": "1968-01-30",
        "DanToc": "Hoa",
        "TonGiao": "Không",
        "QuocTich": "VN",
        "ThuongTru": ("30037", "Ấp Tân Hòa, tổ 2"),
        "NoiOHienTai": ("30037", "Ấp Tân Hòa, tổ 2"),
        "QueQuan": ("28261", "Phường Mỹ Tho"),
        "ThuDienTu": "",
    },
]


def find(id_number: str) -> dict | None:
    for citizen in CITIZENS:
        if id_number and id_number in (citizen["SoDinhDanh"], citizen["SoCMND"]):
            return citizen
    return None
