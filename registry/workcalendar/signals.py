"""Keep the calendar cache honest: any change to a special day gives its year a new revision."""

from __future__ import annotations

import uuid

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from registry import clock
from registry.workcalendar.models import CalendarYear, SpecialDay


@receiver(post_save, sender=SpecialDay, dispatch_uid="workcalendar.day_saved")
@receiver(post_delete, sender=SpecialDay, dispatch_uid="workcalendar.day_deleted")
def touch_calendar_year(sender, instance: SpecialDay, **kwargs) -> None:
    """Give the day's year a new revision, so every process reloads its calendar."""
    CalendarYear.objects.filter(pk=instance.calendar_year_id).update(
        revision=uuid.uuid4(), updated_at=clock.now()
    )
