"""Every state change of applications and registrations, one function per use case, by stage.

Each function takes the actor and the object and ``now``, checks permission and the current state,
runs in one transaction, changes status by compare-and-set (so two reviewers clicking at once cannot
both win) and writes the transition log and the audit log. The stages:

- ``drafting``: the applicant opens, fills in, uploads, submits or withdraws;
- ``employer``: the employer returns or confirms (a cancellation completes at once);
- ``acceptance``: the comparison with the registries, then acceptance on its working day;
- ``review``: the reviewer asks for supplementary material, refuses or approves;
- ``registrations``: what an approval does to the registration, one function per application type;
- ``timeline``: the history as the applicant reads it.

Side effects: ``registration_changed`` is sent inside the transaction (a certificate is issued or
invalidated atomically with the change); a receiver that reaches outside the database (files sent,
messages, the national platform) schedules that work with ``transaction.on_commit``.

The public use cases are re-exported here: callers write ``services.approve_application(...)``.
"""

from registry.applications.services.acceptance import (
    accept_application,
    accept_due_applications,
    comparison_parameters,
    gather_facts,
    run_comparison,
)
from registry.applications.services.common import active_registration, next_number
from registry.applications.services.drafting import (
    add_material,
    create_application,
    missing_for,
    remove_material,
    required_for,
    submit_application,
    update_application,
    withdraw_application,
)
from registry.applications.services.employer import confirm_by_employer, return_by_employer
from registry.applications.services.registrations import apply_approval, cancel_specialties
from registry.applications.services.review import (
    approve_application,
    refuse_application,
    request_supplement,
    resubmit_supplement,
)
from registry.applications.services.timeline import ACTION_LABELS, TimelineStep, timeline

__all__ = [
    "ACTION_LABELS",
    "TimelineStep",
    "accept_application",
    "accept_due_applications",
    "active_registration",
    "add_material",
    "apply_approval",
    "approve_application",
    "cancel_specialties",
    "comparison_parameters",
    "confirm_by_employer",
    "create_application",
    "gather_facts",
    "missing_for",
    "next_number",
    "refuse_application",
    "remove_material",
    "request_supplement",
    "required_for",
    "resubmit_supplement",
    "return_by_employer",
    "run_comparison",
    "submit_application",
    "timeline",
    "update_application",
    "withdraw_application",
]
