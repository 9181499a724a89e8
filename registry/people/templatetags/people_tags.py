"""How staff pages name an account: the person's name, never the internal 渝快办 account key."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# Accounts made at a 渝快办 sign-in are named by a digest (registry.people.signin); it means nothing to a reader.
_DIGEST_PREFIX = "ykb-"


@register.filter
def account_name(user) -> str:
    """Return the name to show for an account: its full name, a staff login name, or a plain description."""
    if user is None:
        return "—"
    name = user.get_full_name().strip()
    if name:
        return name
    if user.username.startswith(_DIGEST_PREFIX):
        return _("渝快办用户（未登记姓名）")
    return user.username
