"""The working-day calendar as the administrator maintains it: one row a year, one row a special day.

Only published years take part in deadline arithmetic (``services.get_calendar``); an unpublished
year is a draft and counts as a year without data (weekends only, flagged on the page).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """One calendar year's holiday schedule: where it came from and whether it is in force."""

    class Source(models.TextChoices):
        SEEDED = "seeded", _("程序包预置（chinesecalendar）")
        ADMINISTRATOR = "administrator", _("管理员录入")

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.ADMINISTRATOR)
    published = models.BooleanField(
        _("已发布"), default=True, help_text=_("只有已发布的年份参与工作日计算；未发布的年份按周末计算。")
    )
    notes = models.TextField(_("备注"), blank=True, help_text=_("例如国务院办公厅通知的文号。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Changed on every change of the year or its days; services.get_calendar compares the set of
    # (year, revision) pairs to decide whether its cached calendar is still current.
    revision = models.UUIDField(_("修订标识"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"

    def save(self, *args, **kwargs) -> None:
        """Save the row with a fresh revision, so every process reloads its calendar."""
        self.revision = uuid.uuid4()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "revision", "updated_at"}
        super().save(*args, **kwargs)


class SpecialDay(models.Model):
    """A statutory holiday, or an adjusted working day (调休) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("节假日")
        WORKDAY = "workday", _("调休上班日")

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("日历年份"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("例如：国庆节"))

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    def clean(self) -> None:
        """Check that the day lies in its year and that an adjusted working day is a weekend."""
        errors = {}
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            errors["date"] = _("日期必须在%(year)d年内。") % {"year": self.calendar_year.year}
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            errors["kind"] = _("调休上班日必须是周六或周日。")
        if errors:
            raise ValidationError(errors)
