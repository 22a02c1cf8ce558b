"""Reading a spreadsheet of screens to provision, and writing the tokens file that answers it.

Officers keep screen lists in Excel or LibreOffice and save them as CSV: the file may start with a
byte-order mark, use `;` instead of `,` (Excel in a Vietnamese locale often does), and name its
columns in Vietnamese. Pure: text in, rows or mistakes out; the service checks units and scope.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from kiosk_server.domain.spreadsheet import safe_row

MAX_ROWS = 5000
# Accepted column names (compared without case, spaces or diacritics-insensitive duplicates listed).
COLUMNS = {
    "name": ("name", "tên", "ten", "tên màn hình", "ten man hinh"),
    "unit_code": ("unit_code", "unit", "mã đơn vị", "ma don vi", "đơn vị", "don vi"),
    "groups": ("groups", "group", "nhóm", "nhom"),
}
GROUP_SEPARATORS = (";", "|")
OUT_COLUMNS = ("id", "name", "unit_code", "groups", "token", "player_url")


@dataclass
class Sheet:
    rows: list[dict] = field(default_factory=list)  # {name, unit_code, groups: [..]} in file order
    problem: str | None = None  # what makes the whole file unreadable, in the officer's words (a key)


def _column_of(header: str) -> str | None:
    wanted = " ".join(header.strip().lower().split())
    for column, names in COLUMNS.items():
        if wanted in names:
            return column
    return None


def read_sheet(text: str) -> Sheet:
    """Return the screens listed in CSV `text`, or the reason the file cannot be read.

    `problem` is one of: "empty", "no_columns", "too_many"; row-level mistakes (a blank name, an
    unknown unit) are left to the service, which reports each with its row number.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        return Sheet(problem="empty")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    columns = [_column_of(h) for h in header]
    if "name" not in columns or "unit_code" not in columns:
        return Sheet(problem="no_columns")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # blank lines at the end of a spreadsheet
        row = {"name": "", "unit_code": "", "groups": []}
        for column, value in zip(columns, values, strict=False):
            if column == "groups":
                for sep in GROUP_SEPARATORS:
                    value = value.replace(sep, ",")
                row["groups"] = [g.strip() for g in value.split(",") if g.strip()]
            elif column:
                row[column] = value.strip()
        rows.append(row)
        if len(rows) > MAX_ROWS:
            return Sheet(problem="too_many")
    if not rows:
        return Sheet(problem="empty")
    return Sheet(rows=rows)


def tokens_csv(made: list[tuple[int, str, str, list[str], str]], player_url_of) -> str:
    """Return the CSV an operator keeps: one line per screen with its token (shown once) and player link.

    `made` holds (id, name, unit_code, groups, token); `player_url_of(token)` builds the link.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OUT_COLUMNS)
    for kiosk_id, name, unit_code, groups, token in made:
        # A name or group the officer typed opens in a spreadsheet: never as a formula.
        writer.writerow(safe_row([kiosk_id, name, unit_code, ";".join(groups), token, player_url_of(token)]))
    return out.getvalue()


def sample_csv(unit_code: str) -> str:
    """Return a two-line example of the file `read_sheet` takes, for the officer to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("name", "unit_code", "groups"))
    writer.writerow(safe_row(("Bộ phận một cửa", unit_code, "Trụ sở")))
    writer.writerow(safe_row(("Nhà văn hóa thôn 1", unit_code, "Nhà văn hóa;Thôn 1")))
    return out.getvalue()
