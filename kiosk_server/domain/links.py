"""Places a screen's QR panel points citizens to when a notice has no link of its own (DOMAIN.md)."""

DEFAULT_LINKS: tuple[dict, ...] = (
    {"url": "https://dichvucong.gov.vn", "caption": "Cổng Dịch vụ công quốc gia"},
    {"url": "https://dichvucong.gov.vn/p/phananhkiennghi/pakn-gioi-thieu.html", "caption": "Phản ánh, kiến nghị"},
    {"url": "https://vneid.gov.vn", "caption": "Định danh điện tử VNeID"},
)
