"""The administrator's console for the working-day calendar.

Adding a year here (with its holidays and adjusted working days inline) is how later years are
published; ``manage.py workdays load`` does the same from a file. Saving a year records who did it
and marks it as the administrator's, and every change reaches ``services.get_calendar`` at once.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from registry.audit.log import client_ip, log_action
from registry.workcalendar.models import CalendarYear, SpecialDay


class SpecialDayFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Refuse days outside the year being edited (the model cannot tell before the year is saved)."""
        super().clean()
        year = self.instance.year
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if day and year and not form.cleaned_data.get("DELETE") and day.year != year:
                form.add_error("date", _("日期必须在%(year)d年内。") % {"year": year})


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    formset = SpecialDayFormSet
    extra = 3
    fields = ["date", "kind", "name"]
    ordering = ["date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "published",
        "source",
        "holiday_count",
        "workday_count",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["published", "source"]
    fields = ["year", "published", "notes", "source", "updated_at", "updated_by"]
    readonly_fields = ["source", "updated_at", "updated_by"]
    inlines = [SpecialDayInline]

    def get_queryset(self, request):
        """Return the years with the user who last changed them, in one query."""
        return super().get_queryset(request).select_related("updated_by").prefetch_related("days")

    @admin.display(description=_("节假日天数"))
    def holiday_count(self, obj: CalendarYear) -> int:
        return sum(1 for d in obj.days.all() if d.kind == SpecialDay.Kind.HOLIDAY)

    @admin.display(description=_("调休上班天数"))
    def workday_count(self, obj: CalendarYear) -> int:
        return sum(1 for d in obj.days.all() if d.kind == SpecialDay.Kind.WORKDAY)

    def save_model(self, request, obj: CalendarYear, form, change: bool) -> None:
        """Save the year as the administrator's, recording who changed it."""
        obj.source = CalendarYear.Source.ADMINISTRATOR
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        """Save the days, then write one audit line for the whole change."""
        super().save_related(request, form, formsets, change)
        year = form.instance
        log_action(
            "workcalendar.year.changed" if change else "workcalendar.year.created",
            actor=request.user,
            target=year,
            details={"year": year.year, "published": year.published, "days": year.days.count()},
            ip=client_ip(request),
        )

    def delete_model(self, request, obj: CalendarYear) -> None:
        """Delete the year and log it; its deadlines fall back to weekends and are flagged."""
        log_action(
            "workcalendar.year.deleted",
            actor=request.user,
            target=obj,
            details={"year": obj.year},
            ip=client_ip(request),
        )
        super().delete_model(request, obj)
