"""registry.stencil: one rendering per shape, the text filled in and escaped as the template would."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from registry import stencil
from registry.stencil import Stencil


@pytest.fixture
def template(monkeypatch):
    """A template of our own, rendered by the Django engine the stencil uses."""
    source = engines["django"].from_string(
        "<p>{{ title }}</p>{% if note %}<em>{{ note }}</em>{% endif %}<ul>{% for s in items %}<li>{{ s.name }}"
        "({{ s.n }})</li>{% endfor %}</ul>{% csrf_token %}")
    renders = []

    def render_to_string(name, context):
        renders.append(context)
        return source.render(context)

    monkeypatch.setattr(stencil, "render_to_string", render_to_string)
    return renders


def plain(context: dict) -> str:
    return engines["django"].from_string(
        "<p>{{ title }}</p>{% if note %}<em>{{ note }}</em>{% endif %}<ul>{% for s in items %}<li>{{ s.name }}"
        "({{ s.n }})</li>{% endfor %}</ul>{% csrf_token %}").render(context)


def test_one_rendering_serves_every_context_of_a_shape(template):
    page = Stencil("page.html")
    first = {"title": "甲", "note": "", "items": [{"name": "建筑工程", "n": 1}], "csrf_token": "tok1"}
    second = {"title": "乙<b>", "note": "", "items": [{"name": "市政&公用", "n": 1}], "csrf_token": "tok2"}
    assert page.render(first) == plain(first)
    assert page.render(second) == plain(second)  # escaped as the template escapes
    assert "乙&lt;b&gt;" in page.render(second)
    assert len(template) == 1


def test_a_new_shape_is_rendered_anew(template):
    page = Stencil("page.html")
    base = {"title": "甲", "note": "", "items": [], "csrf_token": "t"}
    for context in (base, {**base, "note": "有备注"}, {**base, "items": [{"name": "a", "n": 1}] * 2},
                    {**base, "items": [{"name": "a", "n": 2}]}):
        assert page.render(context) == plain(context)
    assert len(template) == 4  # an empty and a non-empty note, the number of items, a number differ in shape


def test_safe_and_lazy_text(template):
    page = Stencil("page.html")
    context = {"title": mark_safe("<b>甲</b>"), "note": gettext_lazy("备注"), "items": [], "csrf_token": "t"}
    assert page.render(context) == plain(context)


def test_only_plain_data_goes_in(template):
    with pytest.raises(TypeError, match="not"):
        Stencil("page.html").render({"title": date(2026, 1, 1)})


def test_the_kept_shapes_are_bounded(template):
    page = Stencil("page.html", max_shapes=2)
    for n in range(5):
        page.render({"title": "t", "note": "", "items": [{"name": "x", "n": 1}] * n, "csrf_token": "t"})
    assert len(page._parts) <= 2


def test_subclasses_of_the_plain_types_render_as_the_template_would(template):
    """The plain types take a fast path by identity; their subclasses take the general one, to the same page."""

    class Text(str):
        pass

    class Number(int):
        pass

    class Record(dict):
        pass

    class Rows(list):
        pass

    page = Stencil("page.html")
    context = {"title": Text("甲<b>&"), "note": Text(""),
               "items": Rows([Record(name=Text("建筑'工程\""), n=Number(1))]), "csrf_token": "t"}
    assert page.render(context) == plain(context)
    assert "甲&lt;b&gt;&amp;" in page.render(context)
    tupled = {"title": "乙", "note": "", "items": ({"name": "市政", "n": 1},), "csrf_token": "t"}
    assert page.render(tupled) == plain(tupled)
    # A subclass and its plain value have one shape: no second rendering.
    assert len(template) == 1
