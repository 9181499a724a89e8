"""Which materials each application type needs (domain-rules.md §3), as data.

Pure: no Django import. Chongqing's own lists replace these when the authority supplies them.
"""

from __future__ import annotations

_INITIAL = ["application_form", "id_document", "qualification", "diploma", "contract", "photo", "signature"]

REQUIRED: dict[tuple[str, str], list[str]] = {
    ("initial", ""): _INITIAL,
    ("reregistration", ""): _INITIAL,
    ("renewal", ""): ["application_form", "education", "contract"],
    ("change", "employer"): ["application_form", "contract", "termination"],
    ("change", "personal"): ["application_form", "change_proof"],
    ("change", "enterprise"): ["application_form", "change_proof"],
    ("add_specialty", ""): ["application_form", "pass_proof"],
    ("cancellation", ""): ["application_form", "cancellation_proof"],
}

# Materials that are images of the person and become part of the certificate.
IMAGE_ONLY = {"photo", "signature"}


def required_materials(application_type: str, change_kind: str = "") -> list[str]:
    """Return the material kinds an application of this type must carry before it is submitted."""
    return REQUIRED.get((application_type, change_kind if application_type == "change" else ""), ["application_form"])


def missing_materials(application_type: str, change_kind: str, present: set[str]) -> list[str]:
    """Return the required kinds not among those present, in the order of the list."""
    return [kind for kind in required_materials(application_type, change_kind) if kind not in present]
