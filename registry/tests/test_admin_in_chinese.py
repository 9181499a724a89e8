"""The administrators' console speaks Chinese on every page it has (issue #14 §1).

Every model registered in the console (and every model shown inline) has a Chinese name and Chinese
field labels, so a new field without a verbose_name fails here; every list, add and change page renders
for an administrator with no English widget text and no English column or field label.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# Words of Django's English admin that must never reach a page of ours.
ENGLISH = ("Select an option", "---------", "Django administration", "Site administration", "Save and",
           "Clear all filters", "Show counts", ">Filter<", ">Search<", ">Go<", "Action:", "Add another",
           "Currently:", "Change:", "Unknown", "Yes<", "No<", ">By ")


def ascii_only(text) -> bool:
    return str(text).isascii()


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def shown_models() -> set[type]:
    """Return the registered models and the models of their inlines."""
    models = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        models.update(inline.model for inline in model_admin.inlines)
    return models


def own(model) -> bool:
    return model.__module__.startswith("registry.")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_every_shown_model_has_a_chinese_name():
    english = [model._meta.label for model in shown_models()
               if ascii_only(model._meta.verbose_name) or ascii_only(model._meta.verbose_name_plural)]
    assert english == []


def test_every_app_and_model_of_the_console_index_is_named_in_chinese(rf, world):
    request = rf.get("/admin/")
    request.user = world.admin
    names = [(app["name"], [m["name"] for m in app["models"]]) for app in admin.site.get_app_list(request)]
    assert names
    assert [name for name, models in names for name in (name, *models) if ascii_only(name)] == []


def models_of_our_console_apps() -> set[type]:
    """Return every model of our apps that show anything in the console (a new model there is shown soon)."""
    labels = {model._meta.app_label for model in shown_models() if own(model)}
    return {model for label in labels for model in apps.get_app_config(label).get_models()}


def test_every_field_of_our_console_apps_has_a_chinese_label():
    models = models_of_our_console_apps()
    assert {"people", "applications", "certificates", "audit", "workcalendar"} <= {m._meta.app_label for m in models}
    english = [
        f"{model._meta.label}.{field.name}"
        for model in models
        for field in model._meta.get_fields()
        if not field.auto_created and ascii_only(field.verbose_name)
    ]
    english += [model._meta.label for model in models
                if ascii_only(model._meta.verbose_name) or ascii_only(model._meta.verbose_name_plural)]
    assert english == []


def test_every_column_of_the_console_is_chinese(rf, world):
    request = rf.get("/admin/")
    request.user = world.admin
    english = []
    for model, model_admin in registered():
        columns = [(name, model, model_admin) for name in model_admin.get_list_display(request) if name != "__str__"]
        for inline in model_admin.get_inline_instances(request):
            columns += [(name, inline.model, inline) for name in inline.get_fields(request)]
        for name, on, shown_by in columns:
            label = label_for_field(name, on, shown_by)
            if ascii_only(label):
                english.append(f"{model._meta.label}: {name} ({label})")
    assert english == []


def _admin_client(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _labels(page: str) -> list[str]:
    """Return the column headings and field labels of an admin page, as text."""
    found = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    found += re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    texts = [unescape(re.sub(r"<[^>]+>", "", text)).strip().rstrip(":：") for text in found]
    return [text for text in texts if text]


def _pages(model, model_admin, request) -> list[str]:
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{prefix}_changelist")]
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"{prefix}_add"))
    first = model._default_manager.order_by("pk").first() if model._meta.managed else None
    if first is not None:
        try:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
        except NoReverseMatch:
            pass
    return urls


def test_every_page_of_the_console_renders_in_chinese(rf, world):
    from registry.applications.tests.conftest import at, under_review

    under_review(world, at(2026, 11, 20))  # an application with materials, transitions and a registration
    if apps.is_installed("django_tasks_db"):  # a background task's row, for its detail page
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="registry.outbox.tasks.deliver",
                                    backend_name="default", run_after=at(2026, 11, 20), exception_class_path="",
                                    traceback="")
    client = _admin_client(world)
    request = rf.get("/admin/")
    request.user = world.admin
    problems = []
    for model, model_admin in registered():
        if not own(model) and model._meta.app_label == "django_rq":
            continue  # a link to the queue dashboard of django-rq, not a page of rows
        for url in _pages(model, model_admin, request):
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}")
                continue
            page = response.content.decode()
            problems += [f"{url}: {word!r}" for word in ENGLISH if word in page]
            problems += [f"{url}: label {text!r}" for text in _labels(page) if ascii_only(text)]
    assert problems == []
