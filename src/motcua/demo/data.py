"""The demo province: the new Đồng Tháp (code 82, 102 communes and wards since 1/7/2025).

Agency names follow the province's real structure after the 2025 reorganization; the electronic
identifiers are demo values in the Decision 20/2020/QĐ-TTg shape (the H-group of Đồng Tháp is
UNCONFIRMED), so a province going live loads its own list instead.
"""

PROVINCE_CODE = 82
H = "H20"
DEMO_PASSWORD = "MotCua@2026"  # noqa: S105 — printed by `make demo`; demo installations only

ROOT = {"code": f"000.00.00.{H}", "name": "Ủy ban nhân dân tỉnh Đồng Tháp", "short": "UBND tỉnh"}
# Seat of the provincial agencies: Phường Đạo Thạnh (377 Hùng Vương).
SEAT_COMMUNE = 28249

# (key, code, name, units[(key, code, name)])
DEPARTMENTS = [
    ("vp", f"000.00.01.{H}", "Văn phòng Ủy ban nhân dân tỉnh", []),
    (
        "stp",
        f"000.00.02.{H}",
        "Sở Tư pháp",
        [("stp_hctp", f"000.01.02.{H}", "Phòng Hành chính tư pháp và Bổ trợ tư pháp")],
    ),
    (
        "stc",
        f"000.00.03.{H}",
        "Sở Tài chính",
        [("stc_dkkd", f"000.01.03.{H}", "Phòng Đăng ký kinh doanh")],
    ),
    (
        "sxd",
        f"000.00.04.{H}",
        "Sở Xây dựng",
        [("sxd_qlxd", f"000.01.04.{H}", "Phòng Quản lý hoạt động xây dựng")],
    ),
    (
        "snnmt",
        f"000.00.05.{H}",
        "Sở Nông nghiệp và Môi trường",
        [("snnmt_vpdk", f"000.01.05.{H}", "Văn phòng Đăng ký đất đai")],
    ),
    ("syt", f"000.00.06.{H}", "Sở Y tế", []),
    ("sgddt", f"000.00.07.{H}", "Sở Giáo dục và Đào tạo", []),
    ("sct", f"000.00.08.{H}", "Sở Công Thương", []),
    ("skhcn", f"000.00.09.{H}", "Sở Khoa học và Công nghệ", []),
    ("svhttdl", f"000.00.10.{H}", "Sở Văn hóa, Thể thao và Du lịch", []),
    ("snv", f"000.00.11.{H}", "Sở Nội vụ", []),
]

CENTER = {"code": f"000.00.12.{H}", "name": "Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp"}
DESKS = [
    ("desk_09", "Quầy số 09 — Lĩnh vực Đất đai"),
    ("desk_14", "Quầy số 14 — Sở Nông nghiệp và Môi trường"),
    ("desk_02", "Quầy số 02 — Sở Tư pháp"),
    ("desk_05", "Quầy số 05 — Sở Xây dựng"),
    ("desk_03", "Quầy số 03 — Sở Tài chính"),
]
# The department (agency key) or field (code) each desk receives online dossiers for: the
# national portal's dossiers of that department or field land at that desk.
DESK_SERVES = {
    "desk_09": (None, "G13-TN02"),
    "desk_14": ("snnmt", None),
    "desk_02": ("stp", None),
    "desk_05": ("sxd", None),
    "desk_03": ("stc", None),
}

# (key, commune code, commune name, code group)
COMMUNES = [
    ("mytho", 28261, "Phường Mỹ Tho", "31"),
    ("caolanh", 29869, "Phường Cao Lãnh", "32"),
    ("thapmuoi", 30037, "Xã Tháp Mười", "33"),
]
COMMUNE_UNITS = [
    ("vhxh", "Phòng Văn hóa - Xã hội"),
    ("kt", "Phòng Kinh tế, Hạ tầng và Đô thị"),
]

FIELDS = [
    ("G15-TP07", "Hộ tịch"),
    ("G13-TN02", "Đất đai"),
    ("G17-XD11", "Hoạt động xây dựng"),
    ("G01-CA05", "Đăng ký, quản lý cư trú"),
]
PROCEDURES = [
    ("1.001193", "Thủ tục đăng ký khai sinh", "G15-TP07"),
    ("1.000894", "Thủ tục đăng ký kết hôn", "G15-TP07"),
]

# username, full name, agency key, position, e-mail, phone, grants[(role, agency key, subtree,
# field code, procedure code)]
OFFICIALS = [
    (
        "qt.tinh",
        "Nguyễn Thị Thu Hà",
        "vp",
        "Chuyên viên quản trị hệ thống",
        "0918000001",
        [("province_admin", "root", True, "", "")],
    ),
    (
        "vanhanh",
        "Trần Minh Khoa",
        "vp",
        "Kỹ sư vận hành",
        "0918000002",
        [("system_operator", "root", True, "", "")],
    ),
    (
        "thanhtra",
        "Lê Văn Phúc",
        "vp",
        "Thanh tra viên",
        "0918000003",
        [("inspector", "root", True, "", "")],
    ),
    (
        "qt.danhmuc",
        "Phạm Ngọc Lan",
        "vp",
        "Chuyên viên kiểm soát TTHC",
        "0918000004",
        [("catalog_admin", "root", True, "", "")],
    ),
    (
        "lanhdao.ttpvhcc",
        "Võ Thanh Tâm",
        "center",
        "Giám đốc Trung tâm",
        "0918000005",
        [("agency_leader", "center", True, "", "")],
    ),
    (
        "tn.ttpvhcc.1",
        "Huỳnh Thị Mai",
        "center",
        "Công chức tiếp nhận",
        "0918000006",
        [("receiving_officer", "center", True, "", "")],
    ),
    (
        "tn.ttpvhcc.2",
        "Đặng Quốc Bảo",
        "center",
        "Công chức tiếp nhận",
        "0918000007",
        [
            ("receiving_officer", "desk_09", False, "G13-TN02", ""),
            ("receiving_officer", "desk_14", False, "", ""),
        ],
    ),
    (
        "tn.ttpvhcc.3",
        "Bùi Thị Ngọc Hân",
        "center",
        "Công chức tiếp nhận",
        "0918000008",
        [("receiving_officer", "desk_02", False, "", "")],
    ),
    (
        "gd.stp",
        "Nguyễn Văn Hùng",
        "stp",
        "Giám đốc Sở",
        "0918000009",
        [("agency_leader", "stp", True, "", "")],
    ),
    (
        "tp.stp.hctp",
        "Trương Thị Kim Ngân",
        "stp_hctp",
        "Trưởng phòng",
        "0918000010",
        [("unit_leader", "stp_hctp", False, "", "")],
    ),
    (
        "cv.stp.1",
        "Lâm Hoàng Nam",
        "stp_hctp",
        "Chuyên viên",
        "0918000011",
        [("specialist", "stp_hctp", False, "G15-TP07", "")],
    ),
    (
        "cv.stp.2",
        "Phan Thị Thùy Dung",
        "stp_hctp",
        "Chuyên viên",
        "0918000012",
        [("specialist", "stp_hctp", False, "", "")],
    ),
    (
        "gd.sxd",
        "Đỗ Minh Trí",
        "sxd",
        "Giám đốc Sở",
        "0918000013",
        [("agency_leader", "sxd", True, "", "")],
    ),
    (
        "tp.sxd.qlxd",
        "Ngô Thanh Phong",
        "sxd_qlxd",
        "Trưởng phòng",
        "0918000014",
        [("unit_leader", "sxd_qlxd", False, "", "")],
    ),
    (
        "cv.sxd.1",
        "Châu Văn Lộc",
        "sxd_qlxd",
        "Chuyên viên",
        "0918000015",
        [("specialist", "sxd_qlxd", False, "G17-XD11", "")],
    ),
    (
        "gd.snnmt",
        "Mai Xuân Thắng",
        "snnmt",
        "Giám đốc Sở",
        "0918000016",
        [("agency_leader", "snnmt", True, "", "")],
    ),
    (
        "cv.vpdk.1",
        "Tạ Thị Bích Vân",
        "snnmt_vpdk",
        "Chuyên viên",
        "0918000017",
        [("specialist", "snnmt_vpdk", False, "G13-TN02", "")],
    ),
    (
        "gd.stc",
        "Lý Quang Vinh",
        "stc",
        "Giám đốc Sở",
        "0918000018",
        [("agency_leader", "stc", True, "", "")],
    ),
    (
        "cv.stc.dkkd",
        "Hồ Thị Tuyết",
        "stc_dkkd",
        "Chuyên viên",
        "0918000019",
        [("specialist", "stc_dkkd", False, "", "")],
    ),
]
# Per commune: chairman, one-stop receiving officer, civil-status specialist, and a culture
# officer who also receives at the desk (concurrent posts, telegram 33 problem 8).
COMMUNE_OFFICIALS = [
    ("ct", "Chủ tịch UBND", [("agency_leader", "pc", True, "", "")]),
    ("tn", "Công chức tiếp nhận", [("receiving_officer", "osu", True, "", "")]),
    (
        "hotich",
        "Công chức Tư pháp - Hộ tịch",
        [
            ("specialist", "vhxh", False, "G15-TP07", ""),
            ("specialist", "pc", False, "", "1.001193"),
        ],
    ),
    (
        "vhxh",
        "Công chức Văn hóa - Xã hội",
        [("specialist", "vhxh", False, "", ""), ("receiving_officer", "osu", False, "", "")],
    ),
]
COMMUNE_NAMES = {
    "mytho": ["Nguyễn Văn Tài", "Lê Thị Hồng", "Trần Thị Yến", "Phạm Văn Đức"],
    "caolanh": ["Võ Văn Kiệt", "Đoàn Thị Mỹ", "Huỳnh Văn Tâm", "Nguyễn Thị Sương"],
    "thapmuoi": ["Lê Hoàng Sơn", "Trần Văn Út", "Nguyễn Thị Diễm", "Phan Văn Hậu"],
}
