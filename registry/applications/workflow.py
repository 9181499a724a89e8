"""The application workflow: its one vocabulary of statuses and actions, and the table between them.

Pure: no Django import. Services look up a transition here before they touch the database, so a
transition that is not in the table cannot happen from any surface; pages ask ``allowed_actions``
what to offer instead of naming statuses. The model's status choices are built from ``Status`` and
``STATUS_LABELS`` (``models.ApplicationStatus``), so a status exists in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    AWAITING_EMPLOYER = "awaiting_employer"
    RETURNED = "returned"
    PENDING_ACCEPTANCE = "pending_acceptance"
    NOT_ACCEPTED = "not_accepted"
    UNDER_REVIEW = "under_review"
    SUPPLEMENT = "supplement"
    APPROVED = "approved"
    REFUSED = "refused"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


# What each status is called on every page (translated where shown).
STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "填写中",
    Status.AWAITING_EMPLOYER: "待单位确认",
    Status.RETURNED: "单位退回修改",
    Status.PENDING_ACCEPTANCE: "已上报，待受理",
    Status.NOT_ACCEPTED: "不予受理",
    Status.UNDER_REVIEW: "已受理，审查中",
    Status.SUPPLEMENT: "待补正材料",
    Status.APPROVED: "已批准",
    Status.REFUSED: "不予注册",
    Status.COMPLETED: "已办结",
    Status.WITHDRAWN: "已撤回",
}


class Action(StrEnum):
    SUBMIT = "submit"                  # applicant sends the application to the employer
    RETURN = "return"                  # employer sends it back to the applicant with a reason
    CONFIRM = "confirm"                # employer confirms; it goes to the commission and is compared
    REJECT_COMPARISON = "not_accept"   # the automatic comparison failed
    PASS_COMPARISON = "pass"           # the comparison passed; acceptance is scheduled
    ACCEPT = "accept"                  # accepted on its day, with a receipt
    APPROVE = "approve"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT_SUPPLEMENT = "resubmit_supplement"
    COMPLETE_CANCELLATION = "complete_cancellation"
    WITHDRAW = "withdraw"


# (from, action) -> to
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.SUBMIT): Status.AWAITING_EMPLOYER,
    (Status.RETURNED, Action.SUBMIT): Status.AWAITING_EMPLOYER,
    (Status.AWAITING_EMPLOYER, Action.RETURN): Status.RETURNED,
    (Status.AWAITING_EMPLOYER, Action.CONFIRM): Status.PENDING_ACCEPTANCE,
    (Status.AWAITING_EMPLOYER, Action.COMPLETE_CANCELLATION): Status.COMPLETED,
    (Status.PENDING_ACCEPTANCE, Action.REJECT_COMPARISON): Status.NOT_ACCEPTED,
    (Status.PENDING_ACCEPTANCE, Action.ACCEPT): Status.UNDER_REVIEW,
    (Status.UNDER_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.UNDER_REVIEW, Action.REFUSE): Status.REFUSED,
    (Status.UNDER_REVIEW, Action.REQUEST_SUPPLEMENT): Status.SUPPLEMENT,
    (Status.SUPPLEMENT, Action.RESUBMIT_SUPPLEMENT): Status.UNDER_REVIEW,
    (Status.DRAFT, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RETURNED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.AWAITING_EMPLOYER, Action.WITHDRAW): Status.WITHDRAWN,
}

# Statuses the applicant may still edit (fill in, upload).
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Statuses that end an application.
FINAL = frozenset({Status.NOT_ACCEPTED, Status.APPROVED, Status.REFUSED, Status.COMPLETED, Status.WITHDRAWN})
# Statuses in which an application still occupies the person (no second one may be opened), in path order.
OPEN = tuple(status for status in Status if status not in FINAL)
# Statuses in which the applicant may add or remove scans: while editing, and when asked for more.
UPLOADABLE = EDITABLE | {Status.SUPPLEMENT}

# The steps of an application's path as the applicant sees them, and where each status stands on it.
PATH = ((Status.DRAFT, "填写申请"), (Status.AWAITING_EMPLOYER, "单位确认"), (Status.PENDING_ACCEPTANCE, "数据比对"),
        (Status.UNDER_REVIEW, "受理审查"), (Status.APPROVED, "审批决定"))
CANCELLATION_PATH = ((Status.DRAFT, "填写申请"), (Status.AWAITING_EMPLOYER, "单位确认"), (Status.COMPLETED, "注销完成"))
_STEP_OF = {Status.RETURNED: Status.DRAFT, Status.SUPPLEMENT: Status.UNDER_REVIEW,
            Status.NOT_ACCEPTED: Status.PENDING_ACCEPTANCE, Status.REFUSED: Status.APPROVED,
            Status.WITHDRAWN: Status.DRAFT}
_DONE_AT_END = frozenset({Status.APPROVED, Status.COMPLETED})


@dataclass(frozen=True)
class IllegalTransition(Exception):
    """The action is not allowed from the current status."""

    status: str
    action: str


def next_status(current: str, action: str) -> Status:
    """Return the status an action leads to from the current one, or raise IllegalTransition."""
    try:
        return TRANSITIONS[(Status(current), Action(action))]
    except (KeyError, ValueError):
        raise IllegalTransition(current, action) from None


def allowed_actions(current: str) -> list[Action]:
    """Return the actions allowed from a status, in table order."""
    return [action for (status, action) in TRANSITIONS if status == current]


def progress(current: str, *, cancellation: bool) -> list[tuple[str, str]]:
    """Return the path's steps as (label, state), state being "done", "current" or ""."""
    path = CANCELLATION_PATH if cancellation else PATH
    order = [status for status, _label in path]
    status = Status(current)
    step = _STEP_OF.get(status, status)
    index = order.index(step) if step in order else 0
    final = status in _DONE_AT_END
    return [(label, "done" if i < index or (final and i == index) else ("current" if i == index else ""))
            for i, (_status, label) in enumerate(path)]
