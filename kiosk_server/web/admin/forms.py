"""Officer UI forms (Flask-WTF: CSRF on every one). Services validate again before writing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from kiosk_server.web.template_helpers import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Hãy nhập email.")), Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ trên máy này"))


class UserForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Hãy nhập email.")), Email(_l("Địa chỉ email không hợp lệ.")), Length(max=254)],
    )
    name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()])
    unit_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    password = PasswordField(_l("Mật khẩu"), validators=[Optional(), Length(min=10, message=_l("Ít nhất 10 ký tự."))])
    active = BooleanField(_l("Đang hoạt động"), default=True)


class TokenForm(FlaskForm):
    name = StringField(_l("Tên gợi nhớ"), validators=[Optional(), Length(max=100)])


class KioskForm(FlaskForm):
    name = StringField(_l("Tên màn hình"), validators=[DataRequired(_l("Hãy đặt tên cho màn hình.")), Length(max=100)])
    unit_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    groups = StringField(_l("Nhóm (cách nhau bởi dấu phẩy)"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries the CSRF token."""


class PairForm(FlaskForm):
    code = StringField(_l("Mã ghép nối hiện trên màn hình"), validators=[DataRequired(_l("Hãy nhập mã.")), Length(max=16)])
    name = StringField(_l("Tên màn hình"), validators=[DataRequired(_l("Hãy đặt tên cho màn hình.")), Length(max=100)])
    unit_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    groups = StringField(_l("Nhóm (cách nhau bởi dấu phẩy)"), validators=[Optional(), Length(max=500)])


class KioskEditForm(FlaskForm):
    name = StringField(_l("Tên màn hình"), validators=[DataRequired(_l("Hãy đặt tên cho màn hình.")), Length(max=100)])
    unit_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    groups = StringField(_l("Nhóm (cách nhau bởi dấu phẩy)"), validators=[Optional(), Length(max=500)])
    theme = SelectField(_l("Giao diện"), choices=[], validate_choice=False)


class LinkForm(FlaskForm):
    unit_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    caption = StringField(_l("Chú thích trên màn hình"), validators=[DataRequired(_l("Hãy nhập chú thích.")), Length(max=120)])
    url = StringField(_l("Địa chỉ (https://…)"), validators=[DataRequired(_l("Hãy nhập địa chỉ.")), Length(max=600)])


class SourceForm(FlaskForm):
    name = StringField(_l("Tên nguồn"), validators=[DataRequired(_l("Hãy đặt tên nguồn.")), Length(max=200)])
    kind = SelectField(_l("Loại nguồn"), choices=[SelectChoice("feed", _l("Bản tin RSS/Atom (cổng thông tin)")),
                                                 SelectChoice("cap", _l("Cảnh báo CAP 1.2 (cơ quan khí tượng, thiên tai)"))])
    url = StringField(_l("Địa chỉ (https://…)"), validators=[DataRequired(_l("Hãy nhập địa chỉ.")), Length(max=1000)])
    unit_code = SelectField(_l("Đơn vị sở hữu"), choices=[], validate_choice=False)
    poll_seconds = SelectField(_l("Chu kỳ lấy tin"), coerce=int, choices=[
        SelectChoice(60, _l("Mỗi phút")), SelectChoice(300, _l("5 phút")), SelectChoice(900, _l("15 phút")),
        SelectChoice(3600, _l("Mỗi giờ")), SelectChoice(21600, _l("6 giờ")), SelectChoice(86400, _l("Mỗi ngày"))],
        default=300)
    bulletin_class = SelectField(_l("Loại tin (TT 39/2020)"), choices=[
        SelectChoice("normal", _l("Thông thường: xã quyết định có đưa vào chương trình và khi nào")),
        SelectChoice("priority", _l("Ưu tiên: phát trước trong chương trình")),
        SelectChoice("emergency", _l("Khẩn cấp: phát ngay"))])
    auto_publish = BooleanField(_l("Tự phát hành (chỉ cho nguồn tin cậy; cần quyền duyệt tin)"))
    active = BooleanField(_l("Đang lấy tin"), default=True)
