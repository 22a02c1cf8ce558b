"""The citizens' feedback form and the tracking page that follows it: no sign-in, no scripts.

The form is a plain multipart post with its CSRF token. Its body limit (FEEDBACK_MAX_PHOTO_MB plus the
text) is set before anything reads the body, which is why the form checks its own CSRF token instead
of CSRFProtect's early hook (that would parse up to MAX_UPLOAD_MB first). Submissions are rate-limited
per address (FEEDBACK_RATE_LIMIT); a mistyped field does not use up an attempt, a photo always does.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from kiosk_server.domain import feedback as rules
from kiosk_server.extensions import csrf, db, limiter
from kiosk_server.models import Unit
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.feedback import feedback as feedback_service
from kiosk_server.web.body_limits import body_limit
from kiosk_server.web.errors import status_for

HONEYPOT = "website"
# Room for the text fields and multipart framing on top of the photo itself.
FORM_ALLOWANCE = 64 * 1024


class FeedbackForm(FlaskForm):
    """The fields of the form; the service checks their values, the form checks the CSRF token."""

    category = SelectField(_l("Lĩnh vực"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Nội dung phản ánh, kiến nghị"))
    photo = FileField(_l("Ảnh kèm theo (không bắt buộc)"))
    name = StringField(_l("Họ và tên (không bắt buộc)"))
    phone = StringField(_l("Số điện thoại (không bắt buộc)"))
    consent = BooleanField(_l("Tôi đồng ý"))
    website = StringField(_l("Để trống ô này"))  # the honeypot: hidden from people by CSS


def _find_unit(unit_code: str) -> Unit | None:
    return db.session.get(Unit, unit_code) if len(unit_code) <= 16 else None


def _unknown_unit():
    return render_template("public/feedback_status.html", item=None, missing_unit=True), 404


def _max_body() -> int:
    return int(current_app.config["FEEDBACK_MAX_PHOTO_MB"]) * 1024 * 1024 + FORM_ALLOWANCE


def _render_form(unit: Unit, form: FeedbackForm, status: int = 200, error: str | None = None):
    form.category.choices = feedback_service.category_choices()
    return render_template(
        "public/feedback_form.html", unit=unit, form=form, error=error, due_days=feedback_service.due_days(),
        max_photo_mb=int(current_app.config["FEEDBACK_MAX_PHOTO_MB"]), min_text=rules.MIN_TEXT, max_text=rules.MAX_TEXT,
        max_name=rules.MAX_NAME, honeypot=HONEYPOT,
    ), status


def _counts_against_limit(response) -> bool:
    # A citizen who mistypes a field keeps their attempts; anything with a photo, or stored, counts.
    return not g.get("feedback_free_attempt", False)


@csrf.exempt  # FeedbackForm checks the token itself, after the body limit is in place
@body_limit(lambda: _max_body())
@limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"], deduct_when=_counts_against_limit)
def feedback_form(unit_code: str):
    unit = _find_unit(unit_code)
    if unit is None:
        return _unknown_unit()
    if request.method == "GET":
        form = FeedbackForm(formdata=None)
        form.category.data = ""
        return _render_form(unit, form)

    if (request.content_length or 0) > _max_body():  # the bound itself is set by web.body_limits
        return _render_form(unit, FeedbackForm(formdata=None), 413, _(
            "Nội dung gửi lên quá lớn: ảnh tối đa %(mb)d MB. Hãy chọn ảnh nhỏ hơn (hoặc gửi không kèm ảnh) rồi "
            "gửi lại.", mb=int(current_app.config["FEEDBACK_MAX_PHOTO_MB"])))
    if request.form.get(HONEYPOT, "").strip():
        # A person never sees this field; whatever filled it gets thanked and nothing is kept.
        return render_template("public/feedback_status.html", unit=unit, item=None, thanks=True), 200

    form = FeedbackForm()
    photo = request.files.get("photo")
    has_photo = photo is not None and bool(photo.filename)
    if not form.validate():
        g.feedback_free_attempt = not has_photo
        return _render_form(unit, form, 400, _("Phiên làm việc đã hết hạn; hãy bấm “Gửi phản ánh” một lần nữa."))
    data = {
        "category": form.category.data, "text": form.text.data, "name": form.name.data,
        "phone": form.phone.data, "consent": form.consent.data,
    }
    try:
        item = feedback_service.submit_feedback(unit.code, data, photo if has_photo else None)
    except ServiceError as error:
        g.feedback_free_attempt = not has_photo and "photo" not in error.fields
        for name, message in error.fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*list(field.errors), str(message)]
        return _render_form(unit, form, status_for(error), str(error.message))
    flash(_("Đã gửi phản ánh. Hãy ghi lại mã theo dõi để xem câu trả lời."), "success")
    return redirect(url_for("public.feedback_status", code=item.code), 303)


@limiter.limit(lambda: current_app.config["FEEDBACK_LOOKUP_RATE_LIMIT"])
def feedback_status(code: str):
    item = feedback_service.find_by_code(code)
    if item is None:
        return render_template("public/feedback_status.html", item=None, missing=True, code=code[:40]), 404
    if code != item.code:
        return redirect(url_for("public.feedback_status", code=item.code), 301)
    return render_template(
        "public/feedback_status.html", item=item, unit=item.unit,
        status_label=str(feedback_service.STATUS_LABELS[item.status]),
        category=feedback_service.category_name(item.category),
        due_at=feedback_service.due_at(item) if item.status in rules.OPEN_STATUSES else None,
    )


@limiter.limit(lambda: current_app.config["FEEDBACK_LOOKUP_RATE_LIMIT"])
def feedback_lookup():
    """The lookup form (`?code=`): send the citizen to the tracking page of the code they typed."""
    raw = request.args.get("code", "")
    if raw:
        code = rules.normalise_tracking_code(raw)
        if code is not None:
            return redirect(url_for("public.feedback_status", code=code), 303)
        return render_template("public/feedback_status.html", item=None, lookup=True, code=raw[:40], invalid=True), 422
    return render_template("public/feedback_status.html", item=None, lookup=True, code="")
