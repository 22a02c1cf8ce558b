"""The notice categories of DOMAIN.md, seeded once; officers edit the list afterwards."""

DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("local", "Thông báo của Ủy ban nhân dân"),
    ("policy_law", "Chủ trương, chính sách, pháp luật"),
    ("public_services", "Dịch vụ công trực tuyến"),
    ("disaster", "Phòng, chống thiên tai"),
    ("health", "Y tế, phòng chống dịch bệnh"),
    ("security", "An ninh, trật tự"),
    ("traffic", "An toàn giao thông"),
    ("environment", "Môi trường"),
    ("digital", "Chuyển đổi số, an toàn thông tin"),
    ("culture", "Văn hóa, di sản"),
    ("good_examples", "Gương người tốt, việc tốt"),
)
