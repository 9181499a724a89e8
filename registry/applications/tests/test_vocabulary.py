"""The workflow's one vocabulary: the model's choices come from the table's statuses, pages ask the table."""

from __future__ import annotations

from registry.applications.models import OPEN_STATUSES, ApplicationStatus
from registry.applications.workflow import FINAL, STATUS_LABELS, Action, Status, allowed_actions, progress


def test_the_models_status_choices_are_the_workflows_statuses_with_their_labels():
    assert ApplicationStatus.values == [status.value for status in Status]
    assert [str(label) for label in ApplicationStatus.labels] == [STATUS_LABELS[status] for status in Status]
    assert set(OPEN_STATUSES) == set(Status) - FINAL


def test_the_withdraw_button_is_offered_exactly_where_the_table_allows_it():
    offering = {status for status in Status if Action.WITHDRAW in allowed_actions(status)}
    assert offering == {Status.DRAFT, Status.RETURNED, Status.AWAITING_EMPLOYER}


def test_progress_marks_the_step_reached_and_a_returned_application_stands_at_the_first():
    assert progress("under_review", cancellation=False) == [
        ("填写申请", "done"), ("单位确认", "done"), ("数据比对", "done"), ("受理审查", "current"), ("审批决定", "")]
    assert progress("returned", cancellation=False)[0] == ("填写申请", "current")
    assert progress("completed", cancellation=True) == [("填写申请", "done"), ("单位确认", "done"), ("注销完成", "done")]
    assert [state for _label, state in progress("refused", cancellation=False)] == ["done"] * 4 + ["current"]
