"""Reading officers' spreadsheets of screens: Excel's habits (BOM, semicolons, Vietnamese headers)."""

from kiosk_server.domain import kiosk_csv


def test_plain_csv_with_groups():
    sheet = kiosk_csv.read_sheet("name,unit_code,groups\nMột cửa,02215,Trụ sở;Tầng 1\nChợ,02215,\n")
    assert sheet.problem is None
    assert sheet.rows == [{"name": "Một cửa", "unit_code": "02215", "groups": ["Trụ sở", "Tầng 1"]},
                          {"name": "Chợ", "unit_code": "02215", "groups": []}]


def test_excel_semicolons_bom_and_vietnamese_headers():
    text = "\ufeffTên màn hình;Mã đơn vị;Nhóm\r\nNhà văn hóa;02215;Thôn 1|Thôn 2\r\n;;\r\n"
    sheet = kiosk_csv.read_sheet(text)
    assert sheet.rows == [{"name": "Nhà văn hóa", "unit_code": "02215", "groups": ["Thôn 1", "Thôn 2"]}]


def test_a_file_without_the_needed_columns_or_rows_is_refused_as_a_whole():
    assert kiosk_csv.read_sheet("").problem == "empty"
    assert kiosk_csv.read_sheet("name,unit_code\n").problem == "empty"
    assert kiosk_csv.read_sheet("ten,nhom\nMột cửa,Trụ sở\n").problem == "no_columns"
    rows = "".join(f"Màn hình {i},02215\n" for i in range(kiosk_csv.MAX_ROWS + 1))
    assert kiosk_csv.read_sheet("name,unit_code\n" + rows).problem == "too_many"


def test_blank_cells_are_kept_for_the_service_to_name_by_row():
    sheet = kiosk_csv.read_sheet("name,unit_code\n,02215\nChợ,\n")
    assert sheet.rows == [{"name": "", "unit_code": "02215", "groups": []}, {"name": "Chợ", "unit_code": "", "groups": []}]


def test_the_sample_reads_back():
    sheet = kiosk_csv.read_sheet(kiosk_csv.sample_csv("02215"))
    assert [r["unit_code"] for r in sheet.rows] == ["02215", "02215"]
