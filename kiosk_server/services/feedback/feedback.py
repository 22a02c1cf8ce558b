"""Citizens' feedback: received from the public form, triaged and answered by officers, published to
the board through the normal approval path, and its personal data erased on request.

Personal data (name, phone, photo) is shown only to officers whose scope holds the feedback's unit;
it never reaches a public page, a screen, a notice or the audit log. The photo is checked and
re-encoded like any media upload (services.media_probe: typed by content, EXIF and GPS dropped,
pixel bombs refused) but kept in a private store of its own (FEEDBACK_PHOTO_DIR): everything under
MEDIA_DIR is served to anyone at /media/<sha256>, and by nginx in production.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from werkzeug.datastructures import FileStorage

from kiosk_server.domain import feedback as rules
from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import Category, Feedback, Notice, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content import notices
from kiosk_server.services.content.media_probe import IMAGE_FORMATS, Limits, Probed, probe_image, sniff_mime
from kiosk_server.services.content.notice_input import MAX_BODY, MAX_TITLE
from kiosk_server.services.core import audit, public_urls, scope
from kiosk_server.services.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kiosk_server.storage import MediaStore, StagedObject, configured_store

CITIZEN = "citizen"  # the audit log's actor for what arrives through the public form
FALLBACK_NOTICE_CATEGORY = "local"  # a published answer to "Khác" goes out as a local announcement

STATUS_LABELS = {
    "new": _l("Mới"),
    "in_progress": _l("Đang xử lý"),
    "answered": _l("Đã trả lời"),
    "closed": _l("Đã đóng"),
}
OTHER_LABEL = _l("Khác")
PERSONAL_DATA_HIDDEN = _l("Chỉ cán bộ xử lý phản ánh mới xem được thông tin người gửi.")
ERASED = "[đã xóa]"  # what stands in the question and answer where the sender's name or phone was


# --- reading ------------------------------------------------------------------------------------

def category_choices() -> list[tuple[str, str]]:
    """Return (code, name) of what a citizen may pick: the active notice categories, then "Khác"."""
    rows = db.session.execute(select(Category.code, Category.name).where(Category.active).order_by(Category.position))
    return [(code, name) for code, name in rows] + [(rules.OTHER_CATEGORY, str(OTHER_LABEL))]


def category_name(code: str) -> str:
    """Return the name of a feedback category (a notice category, or "Khác")."""
    if code == rules.OTHER_CATEGORY:
        return str(OTHER_LABEL)
    return db.session.scalar(select(Category.name).where(Category.code == code)) or code




def find_by_code(raw: str | None) -> Feedback | None:
    """Return the feedback whose tracking code is `raw` (spacing, case and look-alike letters forgiven)."""
    code = rules.normalise_tracking_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Feedback).where(Feedback.code == code))


def due_days() -> int:
    """Return the configured number of calendar days an answer may take (FEEDBACK_DUE_DAYS)."""
    return int(current_app.config["FEEDBACK_DUE_DAYS"])


def is_overdue(item: Feedback, now: datetime | None = None) -> bool:
    """Return True when the item is unanswered past its due time."""
    return rules.is_overdue(item.status, item.created_at, now or utcnow(), due_days())


def due_at(item: Feedback) -> datetime:
    """Return when the answer to `item` is due."""
    return rules.due_at(item.created_at, due_days())


def _overdue_condition(now: datetime):
    return Feedback.status.in_(rules.OPEN_STATUSES) & (Feedback.created_at < rules.overdue_cutoff(now, due_days()))


def feedback_query(
    actor: User,
    *,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool = False,
    oldest_first: bool = False,
    now: datetime | None = None,
) -> Select:
    """Return a query of the feedback in the officer's scope, filtered, newest (or oldest) first.

    An unknown `unit` raises NotFound and one outside the scope Forbidden, both naming the field `unit`.
    """
    query = select(Feedback).where(scope.scope_filter(actor, Feedback.unit_code))
    if status:
        if status not in rules.STATUSES:
            raise ValidationFailed(
                _l("Trạng thái phải là một trong: new, in_progress, answered, closed."),
                {"status": _l("Giá trị không nằm trong danh sách cho phép.")},
            )
        query = query.where(Feedback.status == status)
    if unit:
        scope.get_unit(unit, field="unit")
        scope.require_scope(actor, unit, field="unit")
        query = query.where(Feedback.unit_code.in_(scope.descendant_codes(unit)))
    if overdue:
        query = query.where(_overdue_condition(now or utcnow()))
    if oldest_first:
        return query.order_by(Feedback.created_at.asc(), Feedback.id.asc())
    return query.order_by(Feedback.created_at.desc(), Feedback.id.desc())


def waiting_count(actor: User, now: datetime | None = None) -> int:
    """Return how many items in the officer's scope are new or overdue (the navigation's count)."""
    return db.session.scalar(
        select(func.count()).select_from(Feedback).where(
            scope.scope_filter(actor, Feedback.unit_code),
            or_(Feedback.status == "new", _overdue_condition(now or utcnow())),
        )
    )


def tracking_url(item: Feedback, base: str | None = None) -> str:
    """Return the URL of the item's public tracking page: under KIOSK_PUBLIC_URL, else `base` (the web's request)."""
    path = f"/p/feedback/{item.code}"
    return public_urls.public_url(path, base) or path


def may_see_personal_data(actor: User, item: Feedback) -> bool:
    """Return True when the officer answers feedback (editor and above) and the item's unit is in their scope."""
    return roles.can(actor.role, "edit_content") and scope.in_scope(actor, item.unit_code)


def require_personal_data_access(actor: User, item: Feedback) -> None:
    """Raise Forbidden unless `may_see_personal_data`: viewers read feedback, never who sent it."""
    if not may_see_personal_data(actor, item):
        raise Forbidden(PERSONAL_DATA_HIDDEN, code="personal_data")


def feedback_json(item: Feedback, now: datetime | None = None, base: str | None = None, *,
                  personal: bool = False) -> dict[str, Any]:
    """Return the API's view of an item; name, phone and photo only with `personal` (see `may_see_personal_data`).

    `base` is the request's own address, used for the tracking URL only without KIOSK_PUBLIC_URL.
    """
    return {
        "id": item.id,
        "code": item.code,
        "unit_code": item.unit_code,
        "unit_name": item.unit.name,
        "category": item.category,
        "category_name": category_name(item.category),
        "text": item.text,
        "status": item.status,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "due_at": due_at(item).isoformat(),
        "overdue": is_overdue(item, now),
        "answer": item.answer,
        "answered_at": item.answered_at.isoformat() if item.answered_at else None,
        "answered_by": item.answered_by.email if item.answered_by else None,
        "notice_id": item.notice_id,
        "tracking_url": tracking_url(item, base),
        "name": item.name if personal else None,
        "phone": item.phone if personal else None,
        "has_photo": item.photo_sha256 is not None,
        "photo_url": f"/api/v1/feedback/{item.id}/photo" if item.photo_sha256 and personal else None,
        "personal_data_hidden": not personal,
        "personal_data_erased_at": item.personal_data_erased_at.isoformat() if item.personal_data_erased_at else None,
    }


# --- the private photo store ----------------------------------------------------------------------

def photo_store() -> MediaStore:
    """Return the store of feedback photos (FEEDBACK_PHOTO_DIR), separate from the public media store."""
    return configured_store("FEEDBACK_PHOTO_DIR")


def photo_file(item: Feedback) -> Path:
    """Return the path of the item's photo; NotFound when it has none (or it was erased)."""
    if item.photo_sha256:
        path = photo_store().path(item.photo_sha256)
        if path.is_file():
            return path
    raise NotFound(_l("Phản ánh này không có ảnh."))


def _refuse_photo(message, field_message=None) -> ValidationFailed:
    return ValidationFailed(message, {"photo": field_message or message}, code="unsupported_file")


def _prepare_photo(store: MediaStore, stream: IO[bytes], limits: Limits) -> tuple[StagedObject, Probed]:
    """Stage the upload, check that it is a photo and stage its clean re-encode (runs off the event loop)."""
    upload = store.stage(stream)
    try:
        with upload.path.open("rb") as fh:
            head = fh.read(32)
        if not head:
            raise _refuse_photo(_l("Tệp ảnh rỗng (0 byte); hãy chọn lại ảnh."), _l("Tệp rỗng."))
        if head[4:8] == b"ftyp":
            raise _refuse_photo(
                _l("Ảnh HEIC/HEIF (ảnh iPhone) hoặc video chưa được nhận; hãy gửi ảnh JPEG hoặc PNG, ví dụ chụp màn "
                   "hình tấm ảnh rồi gửi ảnh chụp màn hình."),
                _l("Định dạng ảnh chưa được hỗ trợ."),
            )
        mime = sniff_mime(head)
        if mime not in IMAGE_FORMATS:
            raise _refuse_photo(
                _l("Tệp đính kèm không phải là ảnh JPEG, PNG, WebP hoặc GIF; hãy chọn một tấm ảnh khác hoặc "
                   "gửi phản ánh không kèm ảnh."),
                _l("Không phải tệp ảnh được hỗ trợ."),
            )
        try:
            probed = probe_image(upload.path, IMAGE_FORMATS[mime], limits)
        except ValidationFailed as error:  # the media rules' own reason (bomb, broken file), on our field
            raise _refuse_photo(error.message, error.fields.get("file")) from None
        clean = store.stage_bytes(probed.replacement.data)
    finally:
        store.discard(upload)
    return clean, probed


def _drop_photo_if_unused(sha256: str | None) -> None:
    """Delete the stored photo unless another feedback item still holds the same bytes."""
    if not sha256:
        return
    if db.session.scalar(select(Feedback.id).where(Feedback.photo_sha256 == sha256).limit(1)) is None:
        photo_store().delete(sha256)


# --- receiving ----------------------------------------------------------------------------------

@dataclass
class Submission:
    """What the public form sent, cleaned and checked."""

    category: str
    text: str
    name: str | None
    phone: str | None


def read_submission(data: Mapping[str, Any]) -> Submission:
    """Return the cleaned fields of a citizen's submission; raise ValidationFailed naming every bad field."""
    errors: dict[str, Any] = {}
    category = str(data.get("category") or "").strip()
    if not category:
        errors["category"] = _l("Hãy chọn lĩnh vực của phản ánh.")
    elif category not in {code for code, _name in category_choices()}:
        errors["category"] = _l("Lĩnh vực này không có trong danh sách; hãy chọn lại.")

    text = rules.clean_text(str(data.get("text") or ""))
    if not text:
        errors["text"] = _l("Hãy viết nội dung phản ánh, kiến nghị.")
    elif len(text) < rules.MIN_TEXT:
        errors["text"] = _l("Nội dung cần ít nhất %(n)d ký tự để cán bộ hiểu được sự việc.", n=rules.MIN_TEXT)
    elif len(text) > rules.MAX_TEXT:
        errors["text"] = _l("Nội dung dài tối đa %(n)d ký tự (hiện có %(len)d).", n=rules.MAX_TEXT, len=len(text))

    name = rules.clean_line(str(data.get("name") or "")) or None
    if name and len(name) > rules.MAX_NAME:
        errors["name"] = _l("Họ và tên dài tối đa %(n)d ký tự.", n=rules.MAX_NAME)

    raw_phone = str(data.get("phone") or "").strip()
    phone = rules.normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        errors["phone"] = _l("Số điện thoại chưa đúng; ví dụ 0912345678 hoặc +84 912 345 678.")

    if not data.get("consent"):
        errors["consent"] = _l("Hãy đánh dấu ô đồng ý để gửi phản ánh.")
    if errors:
        raise ValidationFailed(_l("Phản ánh chưa gửi được; xem lỗi ở từng ô."), errors)
    return Submission(category, text, name, phone)


def _new_code() -> str:
    for _attempt in range(10):
        code = rules.new_tracking_code()
        if db.session.scalar(select(Feedback.id).where(Feedback.code == code)) is None:
            return code
    raise RuntimeError("could not draw an unused tracking code")  # 2^40 codes: never in practice


def submit_feedback(unit_code: str, data: Mapping[str, Any], photo: FileStorage | None = None) -> Feedback:
    """Store a citizen's feedback to `unit_code` with its optional photo; return it with its tracking code.

    Refusals raise a ServiceError (unknown unit: NotFound; bad fields or photo: ValidationFailed; no room
    for the photo: InsufficientStorage) and leave nothing behind: no row, no audit entry, no file.
    """
    unit = scope.get_unit(unit_code, field="unit")
    fields = read_submission(data)
    store = photo_store()
    staged: StagedObject | None = None
    probed: Probed | None = None
    # A full disk refuses the photo (507) with a sentence a citizen can act on; nothing of it is kept.
    full = _l("Máy chủ tạm thời hết chỗ lưu ảnh; hãy gửi phản ánh không kèm ảnh hoặc thử lại sau.")
    with media_service.refused_when_full(store, full, "photo"):
        if photo is not None and photo.filename:  # a form sent with no file chosen has no name
            limits = Limits.from_config(current_app.config)
            # Decoding a large photo is CPU work: the media service runs it where it cannot stall the server.
            staged, probed = media_service.run_decoder(_prepare_photo, store, photo.stream, limits)
        created = False
        try:
            if staged is not None:
                created = store.commit(staged)
            item = Feedback(
                code=_new_code(), unit_code=unit.code, category=fields.category, text=fields.text, status="new",
                name=fields.name, phone=fields.phone, consented_at=utcnow(),
                photo_sha256=staged.sha256 if staged else None, photo_mime=probed.mime if probed else None,
                photo_width=probed.width if probed else None, photo_height=probed.height if probed else None,
            )
            db.session.add(item)
            db.session.flush()
            # Facts only: the audit log never holds personal data, so erasing it never needs to touch the log.
            audit.record(CITIZEN, "feedback.create", "feedback", item.id, unit_code=unit.code, after={
                "code": item.code, "category": item.category, "status": "new", "chars": len(item.text),
                "has_name": bool(item.name), "has_phone": bool(item.phone), "has_photo": staged is not None,
            })
            db.session.commit()
            return item
        except BaseException:
            db.session.rollback()
            if staged is not None:
                store.discard(staged)
                if created:
                    _drop_photo_if_unused(staged.sha256)
            raise


# --- officers -----------------------------------------------------------------------------------

def _require_handler(item: Feedback, actor: User) -> None:
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn chỉ được xem phản ánh; cần quyền biên tập để xử lý."))
    if not scope.in_scope(actor, item.unit_code):
        raise NotFound(_l("Không tìm thấy phản ánh số %(id)s.", id=item.id))


def _status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _paragraphs(text: str) -> str:
    """Return plain text as escaped HTML paragraphs (line breaks kept): nothing in it can become markup."""
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in parts)


def notice_fields(item: Feedback, answer: str) -> dict[str, Any]:
    """Return the notice body that puts the question (never who asked) and the answer on the board.

    The words are Vietnamese whatever the officer's UI language: this is content for citizens.
    """
    category = item.category
    active = db.session.scalar(select(Category.active).where(Category.code == category))
    if not active:
        category = FALLBACK_NOTICE_CATEGORY
    title = f"Trả lời phản ánh, kiến nghị: {rules.excerpt(item.text, 140)}"[:MAX_TITLE]
    body = (f"<h2>Câu hỏi</h2>{_paragraphs(item.text)}"
            f"<h2>Trả lời của {html.escape(item.unit.name, quote=False)}</h2>{_paragraphs(answer)}")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _l("Câu hỏi và câu trả lời quá dài để đăng thành một thông báo; hãy rút gọn câu trả lời."),
            {"message": _l("Quá dài để đăng lên bảng tin.")},
        )
    return {"title": title, "body": body, "unit_code": item.unit_code, "category": category}


def live_notice(item: Feedback) -> Notice | None:
    """Return the notice already carrying this item to the board, unless it was withdrawn or expired."""
    if item.notice_id is None:
        return None
    notice = db.session.get(Notice, item.notice_id)
    return notice if notice is not None and notice.status in ("draft", "submitted", "published") else None


def reply(item: Feedback, message: Any, publish: bool, actor: User) -> Feedback:
    """Record the officer's answer (status answered); with `publish`, also send the question and answer
    to the board as a notice of the item's unit, submitted for approval by another officer."""
    _require_handler(item, actor)
    answer = rules.clean_text(message if isinstance(message, str) else "")
    if not answer:
        raise ValidationFailed(_l("Hãy viết nội dung trả lời."), {"message": _l("Trường này là bắt buộc.")})
    if len(answer) > rules.MAX_ANSWER:
        raise ValidationFailed(
            _l("Câu trả lời dài tối đa %(n)d ký tự (hiện có %(len)d).", n=rules.MAX_ANSWER, len=len(answer)),
            {"message": _l("Quá dài.")},
        )
    if not rules.can_move(item.status, "answered"):
        raise Conflict(_l("Phản ánh đã đóng; hãy mở lại trước khi trả lời."), code="invalid_transition")
    live = live_notice(item) if publish else None
    if live is not None:
        raise Conflict(
            _l("Phản ánh đã được đưa lên bảng tin trong thông báo số %(id)d; hãy sửa thông báo đó nếu cần.",
               id=live.id),
            {"publish": _l("Đã đăng.")},
            code="already_published",
        )
    notice = None
    if publish and _mentions_sender(item, item.text + "\n" + answer):
        raise ValidationFailed(
            _l("Câu hỏi hoặc câu trả lời có họ tên hoặc số điện thoại của người gửi; hãy bỏ đi trước khi đăng lên "
               "bảng tin."),
            {"publish": _l("Có dữ liệu cá nhân của người gửi.")},
            code="personal_data",
        )
    if publish:
        fields = notice_fields(item, answer)
        # create_notice and submit commit on their own, so they run before this item changes:
        # a refusal there leaves the item as it was.
        notice = notices.create_notice(fields, actor)
        notices.submit(notice, actor)
    # Lengths, not the words: an answer may quote the sender, and the log can never be erased.
    before = {"status": item.status, "answer_chars": len(item.answer or ""), "notice_id": item.notice_id}
    item.answer = answer
    item.answered_at = utcnow()
    item.answered_by_id = actor.id
    item.status = "answered"
    if notice is not None:
        item.notice_id = notice.id
    audit.record(actor, "feedback.reply", "feedback", item.id, unit_code=item.unit_code, before=before,
                 after={"status": "answered", "answer_chars": len(answer), "notice_id": item.notice_id,
                        "published": notice is not None})
    db.session.commit()
    return item


def change_status(item: Feedback, status: Any, actor: User) -> Feedback:
    """Move the item to `status` (triage, close, reopen); the same status again changes nothing."""
    _require_handler(item, actor)
    if status not in rules.STATUSES:
        raise ValidationFailed(
            _l("Trạng thái phải là một trong: new, in_progress, answered, closed."),
            {"status": _l("Giá trị không nằm trong danh sách cho phép.")},
        )
    if status == item.status:
        return item
    if status in rules.NEEDS_ANSWER and not item.answer:
        raise ValidationFailed(
            _l("Chưa có câu trả lời: hãy gửi câu trả lời để chuyển sang “Đã trả lời”."),
            {"status": _l("Cần câu trả lời trước.")},
        )
    if not rules.can_move(item.status, status):
        raise Conflict(
            _l("Không thể chuyển phản ánh từ “%(current)s” sang “%(target)s”.",
               current=_status_label(item.status), target=_status_label(status)),
            {"status": _l("Không được chuyển trạng thái này.")},
            code="invalid_transition",
        )
    before = {"status": item.status}
    item.status = status
    audit.record(actor, "feedback.status", "feedback", item.id, unit_code=item.unit_code, before=before,
                 after={"status": status})
    db.session.commit()
    return item


def _sender_patterns(item: Feedback) -> list[re.Pattern]:
    """Return patterns for the ways the sender's name and phone may be quoted in a question or an answer
    (the name in any letter case; the phone as 0…, +84… or 84…, spaced, dotted or dashed)."""
    patterns = [re.compile(re.escape(item.name), re.IGNORECASE)] if item.name else []
    if item.phone:
        digits = re.sub(r"\D", "", item.phone)
        local = digits[1:] if digits.startswith("0") else digits.removeprefix("84")
        gap = r"[\s.\-]*"
        patterns.append(re.compile(r"(?:\+?84|0)?" + gap + gap.join(local)))
    return patterns


def _mentions_sender(item: Feedback, text: str) -> bool:
    return any(p.search(text) for p in _sender_patterns(item))


def _redact_sender(item: Feedback, text: str) -> str:
    """Return `text` with the sender's name and phone replaced by ERASED."""
    for pattern in _sender_patterns(item):
        text = pattern.sub(ERASED, text)
    return text


def erase_personal_data(item: Feedback, actor: User) -> Feedback:
    """Erase the name, phone and photo sent with the item (the stored photo too, unless another item
    holds the same bytes); the question and the answer stay. Erasing twice changes nothing more."""
    _require_handler(item, actor)
    held = {"name": bool(item.name), "phone": bool(item.phone), "photo": bool(item.photo_sha256)}
    if not any(held.values()) and item.personal_data_erased_at is not None:
        return item
    sha256 = item.photo_sha256
    item.text = _redact_sender(item, item.text)
    item.answer = _redact_sender(item, item.answer) if item.answer else item.answer
    item.name = item.phone = None
    item.photo_sha256 = item.photo_mime = None
    item.photo_width = item.photo_height = None
    item.personal_data_erased_at = utcnow()
    audit.record(actor, "feedback.erase", "feedback", item.id, unit_code=item.unit_code,
                 before={"had": held}, after={"erased": sorted(k for k, v in held.items() if v)})
    db.session.commit()
    _drop_photo_if_unused(sha256)
    return item
