"""Citizens' feedback in the officer UI: the triage list, one item with its answer form, status
changes, erasing personal data, and the photo (served only here and by the API, with scope checks).

Every change goes through `services.feedback`, exactly as the API's does. An item of a unit outside
the officer's scope answers 404: its existence, and the personal data in it, are not disclosed.
"""

from __future__ import annotations

from math import ceil

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, TextAreaField

from kiosk_server.domain import feedback as rules
from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Feedback, Notice
from kiosk_server.models.base import utcnow
from kiosk_server.services.content.workflow import STATUS_LABELS as NOTICE_STATUS_LABELS
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.feedback import feedback as feedback_service
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.editor_fields import grouped
from kiosk_server.web.admin.forms import ConfirmForm
from kiosk_server.web.errors import status_for

PAGE_SIZE = 25
STATUS_CSS = {"new": "warn", "in_progress": "info", "answered": "ok", "closed": "off"}


class ReplyForm(FlaskForm):
    message = TextAreaField(_l("Nội dung trả lời"))
    publish = BooleanField(_l("Đăng câu hỏi và trả lời lên bảng tin"))


def _status_actions(item: Feedback) -> list[tuple[str, str]]:
    """Return the status buttons to offer as (target, label); answering is the reply form's job."""
    labels = {
        "in_progress": _("Nhận xử lý") if item.status == "new" else _("Mở lại để xử lý tiếp"),
        "closed": _("Đóng phản ánh"),
        "answered": _("Đánh dấu đã trả lời"),
    }
    targets = sorted(rules.TRANSITIONS.get(item.status, ()), key=rules.STATUSES.index)
    return [(t, labels[t]) for t in targets
            if t != item.status and (t not in rules.NEEDS_ANSWER or item.answer)]


# --- list ---------------------------------------------------------------------------------------

@permission_required("read")
def feedback_list():
    args = {
        "status": request.args.get("status", "").strip(),
        "unit": request.args.get("unit", "").strip()[:16],
        "overdue": "1" if request.args.get("overdue") == "1" else "",
        "order": "oldest" if request.args.get("order") == "oldest" else "",
    }
    if args["status"] not in rules.STATUSES:
        args["status"] = ""
    page = paging.page_arg()
    now = utcnow()
    # A unit filter answers as the API's does: unknown 404, outside the officer's scope 403 with why.
    query = feedback_service.feedback_query(
        current_user, status=args["status"] or None, unit=args["unit"] or None, overdue=bool(args["overdue"]),
        oldest_first=args["order"] == "oldest", now=now,
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(page, pages)
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    in_scope = scope.scope_filter(current_user, Feedback.unit_code)
    by_status = dict(db.session.execute(
        select(Feedback.status, func.count()).where(in_scope).group_by(Feedback.status)
    ).all())
    overdue_total = db.session.scalar(
        select(func.count()).select_from(feedback_service.feedback_query(current_user, overdue=True, now=now).subquery())
    )
    return render_template(
        "admin/feedback_list.html", rows=rows, total=total, page=page, pages=pages, args=args,
        filter_args={k: v for k, v in args.items() if v}, by_status=by_status, overdue_total=overdue_total,
        overdue={item.id: feedback_service.is_overdue(item, now) for item in rows},
        status_labels=feedback_service.STATUS_LABELS, status_css=STATUS_CSS,
        category_names={code: name for code, name in feedback_service.category_choices()},
        unit_groups=grouped(unit_choices(current_user), lambda c: c.optgroup),
        due_days=feedback_service.due_days(), excerpt=rules.excerpt,
    )


# --- one item -----------------------------------------------------------------------------------

def _render_detail(item: Feedback, form: ReplyForm, status: int = 200):
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "feedback", AuditEntry.object_id == str(item.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    notice = db.session.get(Notice, item.notice_id) if item.notice_id else None
    published = feedback_service.live_notice(item) is not None
    return render_template(
        "admin/feedback.html", item=item, form=form, confirm=ConfirmForm(), history=history, notice=notice, published=published,
        overdue=feedback_service.is_overdue(item), due_at=feedback_service.due_at(item),
        status_labels=feedback_service.STATUS_LABELS, status_css=STATUS_CSS, notice_status_labels=NOTICE_STATUS_LABELS,
        category=feedback_service.category_name(item.category), actions=_status_actions(item),
        can_handle=roles.can(current_user.role, "edit_content"), max_answer=rules.MAX_ANSWER,
        personal=feedback_service.may_see_personal_data(current_user, item),
    ), status


@permission_required("read")
def feedback_detail(feedback_id: int):
    item = lookup.get_visible(Feedback, feedback_id, current_user)
    form = ReplyForm(formdata=None, data={"message": item.answer or ""})
    return _render_detail(item, form)


@permission_required("edit_content")
def feedback_reply(feedback_id: int):
    item = lookup.get_visible(Feedback, feedback_id, current_user)
    form = ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        feedback_service.reply(item, form.message.data, bool(form.publish.data), current_user)
    except ServiceError as error:
        db.session.rollback()
        apply_field_errors(form, error)
        flash(str(error.message), "error")
        return _render_detail(lookup.get_visible(Feedback, feedback_id, current_user), form, status_for(error))
    if item.notice_id and form.publish.data:
        flash(_("Đã lưu câu trả lời và gửi duyệt thông báo số %(id)d để đăng lên bảng tin.", id=item.notice_id),
              "success")
    else:
        flash(_("Đã lưu câu trả lời; người gửi xem được trên trang theo dõi %(code)s.", code=item.code), "success")
    return redirect(url_for("admin.feedback", feedback_id=feedback_id))


@permission_required("edit_content")
def feedback_status(feedback_id: int):
    item = lookup.get_visible(Feedback, feedback_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        feedback_service.change_status(item, request.form.get("status", ""), current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("Đã chuyển phản ánh sang “%(status)s”.", status=feedback_service.STATUS_LABELS[item.status]), "success")
    return redirect(url_for("admin.feedback", feedback_id=feedback_id))


@permission_required("edit_content")
def feedback_erase(feedback_id: int):
    item = lookup.get_visible(Feedback, feedback_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    feedback_service.erase_personal_data(item, current_user)
    flash(_("Đã xóa họ tên, số điện thoại và ảnh của người gửi; nội dung phản ánh và câu trả lời được giữ lại."),
          "success")
    return redirect(url_for("admin.feedback", feedback_id=feedback_id))


@permission_required("read")
def feedback_photo(feedback_id: int):
    item = lookup.get_visible(Feedback, feedback_id, current_user)
    feedback_service.require_personal_data_access(current_user, item)
    response = send_file(feedback_service.photo_file(item), mimetype=item.photo_mime, max_age=0)
    # Personal data: kept out of shared caches and the browser's disk cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def nav_context() -> dict:
    """Give every template `feedback_waiting()`: new or overdue items in the officer's scope, for the nav."""

    def feedback_waiting() -> int:
        if not current_user.is_authenticated:
            return 0
        return feedback_service.waiting_count(current_user)

    return {"feedback_waiting": feedback_waiting}
