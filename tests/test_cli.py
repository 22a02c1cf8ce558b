"""The operator commands of `flask --app wsgi kiosk …`."""

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import ApiToken, AuditEntry, Kiosk, Unit, User
from tests.conftest import COMMUNE, bearer


def test_create_user_then_token_that_works(app, runner):
    result = runner.invoke(
        args=["kiosk", "create-user", "Can.Bo@Example.vn", "--password", "mat-khau-dai", "--role", "editor",
              "--unit", COMMUNE]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "can.bo@example.vn"))
    assert (user.role, user.unit_code) == ("editor", COMMUNE)

    result = runner.invoke(args=["kiosk", "create-token", "can.bo@example.vn"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = app.test_client().get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["email"] == "can.bo@example.vn"
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored, "the token is stored hashed, never in clear"


def test_create_user_refuses_unknown_role(runner):
    result = runner.invoke(args=["kiosk", "create-user", "a@b.vn", "--password", "x" * 12, "--role", "boss"])
    assert result.exit_code != 0
    assert "boss" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_duplicate_email(runner):
    args = ["kiosk", "create-user", "a@b.vn", "--password", "x" * 12, "--role", "viewer"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=["kiosk", "create-user", "A@B.VN", "--password", "y" * 12, "--role", "admin"])
    assert result.exit_code == 1
    assert "Đã có người dùng với email a@b.vn" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_user_refuses_unknown_unit(runner):
    result = runner.invoke(args=["kiosk", "create-user", "a@b.vn", "--password", "x" * 12, "--role", "viewer",
                                 "--unit", "99999"])
    assert result.exit_code == 1
    assert "99999" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_short_password_and_bad_email(runner):
    result = runner.invoke(args=["kiosk", "create-user", "not-an-email", "--password", "short", "--role", "viewer"])
    assert result.exit_code == 1
    assert "email" in result.output and "password" in result.output


def test_create_token_for_unknown_email(runner):
    result = runner.invoke(args=["kiosk", "create-token", "nobody@example.vn"])
    assert result.exit_code == 1
    assert "nobody@example.vn" in result.output


def test_import_units_is_idempotent_and_uses_official_codes(runner):
    result = runner.invoke(args=["kiosk", "import-units", "--province", "01"])
    assert result.exit_code == 0, result.output
    hanoi = db.session.get(Unit, "01")
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.level == "province"
    hoan_kiem = db.session.get(Unit, "00070")
    assert (hoan_kiem.name, hoan_kiem.parent_code, hoan_kiem.level) == ("Phường Hoàn Kiếm", "01", "commune")
    before = db.session.scalar(select(func.count()).select_from(Unit))
    again = runner.invoke(args=["kiosk", "import-units", "--province", "01"])
    assert "thêm 0, cập nhật 0" in again.output
    assert db.session.scalar(select(func.count()).select_from(Unit)) == before


def test_import_all_units_gives_34_provinces(runner):
    result = runner.invoke(args=["kiosk", "import-units"])
    assert result.exit_code == 0, result.output
    provinces = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.level == "province"))
    communes = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.level == "commune"))
    assert provinces == 34
    assert 3000 < communes < 3500
    assert db.session.get(Unit, "04").name == "Tỉnh Cao Bằng"


def test_import_units_refuses_unknown_province(runner):
    result = runner.invoke(args=["kiosk", "import-units", "--province", "77"])
    assert result.exit_code == 1
    assert "77" in result.output


def test_seed_demo_once_and_prints_how_to_sign_in(app, runner):
    result = runner.invoke(args=["kiosk", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/login" in result.output
    assert "admin@bangtin.local" in result.output
    password = result.output.split("admin@bangtin.local")[1].split("mật khẩu:")[1].split()[0]
    users_before = db.session.scalar(select(func.count()).select_from(User))
    kiosks_before = db.session.scalar(select(func.count()).select_from(Kiosk))
    assert kiosks_before == 2
    from kiosk_server.models import Notice

    published = db.session.scalars(select(Notice).where(Notice.status == "published")).all()
    assert len(published) == 3, "the demo screens have something to show, approved by a second officer"
    assert all(n.approved_by.email != n.author.email for n in published)
    from kiosk_server.models import Playlist

    assert [p.status for p in db.session.scalars(select(Playlist))] == ["published"], "and a morning loop"

    again = runner.invoke(args=["kiosk", "seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert password in again.output, "later starts still tell how to sign in"
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == kiosks_before

    client = app.test_client()
    from tests.conftest import Auth

    assert Auth(client).login("admin@bangtin.local", password).status_code == 302


def test_cli_actions_are_audited(runner):
    runner.invoke(args=["kiosk", "create-user", "a@b.vn", "--password", "x" * 12, "--role", "viewer"])
    runner.invoke(args=["kiosk", "create-token", "a@b.vn"])
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "cli")).all()
    assert "user.create" in actions and "token.create" in actions
