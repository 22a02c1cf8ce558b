"""The workflow in the officer UI, for every approvable kind: the panel's buttons and what pressing one does.

The buttons are `services.workflow.offered_actions`, the very checks the actions enforce, so the page
never offers what the service would refuse for who the officer is. Pressing one calls the same
workflow step the API calls; a refusal comes back as a ServiceError whose message is flashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.services.content import workflow
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.redirects import safe_next

# What the officer reads once a step is done; `what` is the record as its kind names it in a sentence.
DONE = {
    "submit": _l("Đã gửi duyệt %(what)s."),
    "reject": _l("Đã trả lại %(what)s cho người soạn kèm lý do."),
    "withdraw": _l("Đã gỡ %(what)s khỏi mọi màn hình."),
}


@dataclass(frozen=True)
class PanelWords:
    """How one kind's records are named in the flash after a step; the panel's own words are its template's."""

    name_column: str  # the record's column that names it to an officer: "title", "name"
    what: Any  # the record in a sentence, from %(name)s: "“%(name)s”", "chương trình “%(name)s”"
    approved: Any  # the flash after approval (it says what approval did), from %(what)s


def _url(kind: workflow.Approvable, endpoint: str, record_id: int) -> str:
    return url_for(f"admin.{endpoint}", **{f"{kind.name}_id": record_id})


def panel(kind: workflow.Approvable, record) -> dict:
    """Return what `_workflow_macros.workflow_panel` draws for the current officer."""
    return {
        "offered": workflow.offered_actions(kind, record, current_user),
        "editable": roles.can(current_user.role, "edit_content"),
        "urls": {action: _url(kind, f"{kind.name}_{action}", record.id) for action in (*workflow.ACTIONS, "edit")},
    }


def act(kind: workflow.Approvable, record_id: int, action: str, words: PanelWords):
    """Run `action` on the record for the current officer, flash the outcome, and go back to its page."""
    if action not in workflow.ACTIONS:
        abort(404)
    record = lookup.get_visible(kind.model, record_id, current_user)
    name = getattr(record, words.name_column)
    try:
        if action == "reject":
            workflow.reject(kind, record, request.form.get("reason", ""), current_user)
        else:
            getattr(workflow, action)(kind, record, current_user)
        what = words.what % {"name": name}
        flash((words.approved if action == "approve" else DONE[action]) % {"what": what}, "success")
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(safe_next(request.form.get("next"), _url(kind, kind.name, record_id)))


def action_view(kind: workflow.Approvable, words: PanelWords):
    """Return the view that runs a workflow step on one record of `kind` (POST …/<id>/<step>)."""

    @permission_required("read")  # each step checks the officer's own right to it
    def view(action: str, **ids):
        return act(kind, ids[f"{kind.name}_id"], action, words)

    view.__name__ = f"{kind.name}_action"
    return view
