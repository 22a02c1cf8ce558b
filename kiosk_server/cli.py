"""`flask --app wsgi kiosk …`: operator commands. Errors go to stderr with exit code 1."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from kiosk_server.domain import roles
from kiosk_server.services.core.errors import ServiceError


@click.group("kiosk", help="Quản trị bảng tin điện tử: người dùng, mã truy cập, đơn vị, dữ liệu mẫu.")
def kiosk_cli() -> None:
    pass


def _fail(error: ServiceError) -> None:
    details = "".join(f"\n  - {field}: {msg}" for field, msg in error.fields.items())
    raise click.ClickException(f"{error.message}{details}")


@kiosk_cli.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="Mật khẩu ban đầu (ít nhất 10 ký tự).")
@click.option("--role", required=True, type=click.Choice(roles.ROLES), help="Vai trò.")
@click.option("--unit", "unit_code", default=None, help="Mã đơn vị; bỏ trống: toàn quốc.")
@click.option("--name", default="", help="Họ và tên.")
@with_appcontext
def create_user(email: str, password: str, role: str, unit_code: str | None, name: str) -> None:
    """Create an officer."""
    from kiosk_server.services.core import users

    try:
        user = users.create_user(email, password, role, unit_code, name=name, actor="cli")
    except ServiceError as error:
        _fail(error)
    click.echo(f"Đã tạo người dùng {user.email} (vai trò {user.role}, đơn vị {user.unit_code or 'toàn quốc'}).")


@kiosk_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="Tên gợi nhớ của mã.")
@with_appcontext
def create_token(email: str, name: str) -> None:
    """Print a new API token for EMAIL as the last line."""
    from kiosk_server.services.core import tokens, users

    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"Không có người dùng với email {email}.")
    try:
        _, plain = tokens.create_token(user, name, actor="cli")
    except ServiceError as error:
        _fail(error)
    click.echo(f"Mã truy cập API cho {user.email} (chỉ hiện một lần; hãy cất giữ cẩn thận):")
    click.echo(plain)


@kiosk_cli.command("import-units")
@click.option("--province", default=None, help="Chỉ nhập một tỉnh/thành (mã 2 chữ số) và các xã, phường của nó.")
@with_appcontext
def import_units(province: str | None) -> None:
    """Import provinces and communes with their official codes."""
    from kiosk_server.services.core import units

    try:
        result = units.import_units(province, actor="cli")
    except ServiceError as error:
        _fail(error)
    click.echo(f"Đơn vị hành chính: thêm {result.added}, cập nhật {result.updated}, tổng {result.total}.")


@kiosk_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Chỉ tạo khi cơ sở dữ liệu chưa có người dùng nào.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Create the demo province, commune, officers and screens, and print how to sign in."""
    from flask import current_app

    from kiosk_server.services import demo

    credentials = demo.seed_demo(current_app.instance_path, only_if_empty=if_empty)
    click.echo(demo.sign_in_hint(credentials, current_app.config["BIND"]))


@kiosk_cli.command("expire")
@with_appcontext
def expire() -> None:
    """Retire notices and playlists whose end time has passed (the server also does this every 15 s)."""
    from kiosk_server.services.content import notices, playlists

    expired = notices.expire_due()
    click.echo(f"Đã chuyển {len(expired)} thông báo sang trạng thái hết hạn.")
    ended = playlists.expire_due()
    click.echo(f"Đã chuyển {len(ended)} chương trình phát sang trạng thái hết hạn.")


@kiosk_cli.command("verify-log")
@click.option("--full", is_flag=True, help="Đọc lại mọi lượt phát và dòng gộp, không chỉ phần sau lần kiểm tra trước.")
@with_appcontext
def verify_log(full: bool) -> None:
    """Check the hash chain of the play log; exit 1 naming the first link that does not match.

    Every link and daily figure is checked each time; plays and roll-ups are reread only after the
    link each screen's last check ended on (`--full`: all of them).
    """
    from kiosk_server.services.reports import plays

    result = plays.verify(full=full)
    if result.bad is not None:
        bad = result.bad
        raise click.ClickException(
            f"Nhật ký phát bị thay đổi: màn hình {bad.kiosk_id}, ngày {bad.day.isoformat()}: {bad.problem}")
    click.echo(f"Nhật ký phát nguyên vẹn: đã kiểm tra {result.links} mắt xích, trong đó {result.rolled_up} ngày "
               f"đã gộp theo giờ (digest giữ lại, dòng gộp khớp); đọc lại các dòng của {result.reread} mắt xích.")


@kiosk_cli.command("create-kiosks")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị của các màn hình.")
@click.option("--count", required=True, type=click.IntRange(1, 5000), help="Số màn hình cần tạo.")
@click.option("--group", "groups", multiple=True, help="Nhóm màn hình (có thể lặp lại).")
@click.option("--name", "prefix", default="Màn hình", show_default=True, help="Tên, được đánh số 1, 2, 3…")
@click.option("--csv", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Ghi mã của các màn hình vào tệp CSV này (chỉ một lần; tệp đã có sẽ không bị ghi đè).")
@with_appcontext
def create_kiosks(unit_code: str, count: int, groups: tuple[str, ...], prefix: str, out: str | None) -> None:
    """Provision COUNT screens in a unit at once; their tokens go to the CSV file (shown once)."""
    import os

    from flask import current_app

    from kiosk_server.domain.kiosk_csv import tokens_csv
    from kiosk_server.services.screens import kiosks

    handle = None
    if out:
        # Tokens are secrets: the file is created for its owner only, never over another file, and
        # before any screen exists, so a refused file leaves no screen whose token nobody kept.
        try:
            handle = os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", newline="",
                               encoding="utf-8")
        except FileExistsError:
            raise click.ClickException(f"Tệp {out} đã có; hãy chọn tên khác.") from None
    rows = [{"name": f"{prefix} {i}", "unit_code": unit_code, "groups": list(groups)} for i in range(1, count + 1)]
    try:
        made = kiosks.provision_many(rows, actor="cli")
    except ServiceError as error:
        if handle:
            handle.close()
            os.unlink(out)
        _fail(error)
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    text = tokens_csv([(k.id, k.name, k.unit_code, sorted(g.name for g in k.groups), t) for k, t in made],
                      lambda token: f"{base}/kiosk#token={token}")
    if handle is None:
        click.echo(text, nl=False)
        return
    with handle:
        handle.write(text)
    click.echo(f"Đã tạo {len(made)} màn hình tại đơn vị {unit_code}; mã của chúng đã ghi vào {out}.")
