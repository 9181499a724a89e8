"""How much of a personal number each audience sees: the one masking policy of the project.

Pure: no Django import. A policy keeps the first and last characters of a number and hides the rest
with '*'. The named policies are the only ones in use:

- ``PUBLIC``: pages, receipts, the audit log and anything shown outside the person's own staff record
  (3 + 2 characters: the province code stays readable, the birth date and sequence do not);
- ``CERTIFICATE``: the printed certificate when its layout asks for a masked number (6 + 4, the
  administrative division and the last four, as printed certificates customarily show);
- ``PUBLIC_NAME``: a holder's name on the public verification page (the first character only);
- ``STAFF``: staff with a need to know (reviewers, service centre, administrators) see the full number,
  and every such view is written to the audit log by the page that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MaskPolicy:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters; None keeps everything."""

    name: str
    keep_start: int | None
    keep_end: int = 0

    def apply(self, value: str) -> str:
        """Return the value as this policy shows it."""
        if self.keep_start is None:
            return value
        kept = self.keep_start + self.keep_end
        if len(value) <= kept:
            return "*" * len(value)
        return value[: self.keep_start] + "*" * (len(value) - kept) + value[len(value) - self.keep_end:]


PUBLIC = MaskPolicy("public", 3, 2)
# A name shown to the public (the verification page): the surname's first character only.
PUBLIC_NAME = MaskPolicy("public_name", 1, 0)
CERTIFICATE = MaskPolicy("certificate", 6, 4)
STAFF = MaskPolicy("staff", None)


def mask_id_number(value: str, policy: MaskPolicy = PUBLIC) -> str:
    """Return an ID number (or credit code) as the policy shows it; the public policy by default."""
    return policy.apply(value)
