"""Render a template once per shape of its context, then fill in the text: for the busiest public page.

The QR landing page is scanned far more than any other page, and a Django template render of it (the
layout, the answer, the certificate's public data) took over a millisecond of CPU -- more than all the
rest of the request (benchmarks/README.md). Its structure depends on little: which answer, whether a
certificate is shown, how many specialties, whether there is a successor. Its text depends on the
certificate. So a ``Stencil`` renders the template with a marker in place of every piece of text, keeps
that rendering for the context's *shape* (the structure, with every non-empty string replaced by a
placeholder and the booleans, numbers and None kept), and for each request joins the kept parts with
the request's text, HTML-escaped as the template would have escaped it.

Nothing about a certificate's status is kept: the caller reads it and builds the context on every
request; a new status is new text (or a new shape), never a stale page.

Limits, which the tests check by comparing with a plain render: a context holds only dicts, lists,
str (and lazy str), int, bool and None -- format dates into text first; a text value is only printed
(``{{ value }}``), never compared, filtered or sliced in the template (a marker would not compare
equal); the render has no request, so it is the page of a visitor with no session and no messages
(``{% csrf_token %}`` prints the context's ``csrf_token``, which the caller passes as text).
"""

from __future__ import annotations

import re
import secrets
import threading
from html import escape as _escape

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import get_language

# Private-use characters and a per-process nonce: no certificate's text can contain a marker.
_NONCE = secrets.token_hex(4)
_MARKER = re.compile(f"\ue000{_NONCE}(\\d+)\ue001")


def _mark(value, texts: list[str]):
    """Return (the value with its text replaced by markers, its shape), appending the escaped text.

    The plain types are tested by identity first: this runs for every value of every scan, and the
    isinstance chain with Django's lazy-aware ``conditional_escape`` was a tenth of the page's CPU. A plain
    ``str`` is escaped by ``html.escape``, which is what ``conditional_escape`` does to it.
    """
    kind = type(value)
    if kind is str:
        if not value:
            return value, ""
        texts.append(_escape(value))
        return _marker(len(texts) - 1), "s"
    if kind is dict:
        marked, shape = {}, []
        for key, item in value.items():
            marked[key], item_shape = _mark(item, texts)
            shape.append((key, item_shape))
        return marked, ("d", tuple(shape))
    if kind is list or kind is tuple:
        pairs = [_mark(item, texts) for item in value]
        return [m for m, _ in pairs], ("l", tuple(s for _, s in pairs))
    if value is None or isinstance(value, (bool, int)):
        return value, value
    # Subclasses. Text that renders itself (safe text: ``__html__``) is kept as the template would keep it;
    # lazy text and any other subclass is marked as its plain type.
    if isinstance(value, str) and hasattr(value, "__html__"):
        if not value:
            return value, ""
        texts.append(value.__html__())
        return _marker(len(texts) - 1), "s"
    if isinstance(value, (str, Promise)):
        return _mark(str(value), texts)
    if isinstance(value, dict):
        return _mark(dict(value), texts)
    if isinstance(value, (list, tuple)):
        return _mark(list(value), texts)
    raise TypeError(f"a stencil context holds dicts, lists, text, numbers, booleans and None, not {type(value)!r}")


def _marker(number: int) -> str:
    return f"\ue000{_NONCE}{number}\ue001"


class Stencil:
    """One template's renderings by shape (at most ``max_shapes`` kept per process)."""

    def __init__(self, template_name: str, max_shapes: int = 256):
        self.template_name = template_name
        self.max_shapes = max_shapes
        # shape -> (the rendering split at its markers, the text number of each marker)
        self._parts: dict[tuple, tuple[list[str], list[int]]] = {}
        self._lock = threading.Lock()

    def render(self, context: dict) -> str:
        texts: list[str] = []
        marked, shape = _mark(context, texts)
        key = (get_language(), shape)
        kept = self._parts.get(key)
        if kept is None:
            # split() alternates text and the captured marker number: ["<html>…", "0", "…", "1", …]
            pieces = _MARKER.split(render_to_string(self.template_name, marked))
            kept = (pieces, [int(number) for number in pieces[1::2]])
            with self._lock:
                if len(self._parts) >= self.max_shapes:
                    self._parts.clear()
                self._parts[key] = kept
        pieces, numbers = kept
        page = pieces.copy()
        page[1::2] = [texts[number] for number in numbers]
        return "".join(page)
