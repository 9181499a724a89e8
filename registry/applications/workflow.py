"""The application workflow as a table: which action moves which status to which.

Pure: no Django import. Services look up a transition here before they touch the database, so a
transition that is not in the table cannot happen from any surface.
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
