from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "registry.workcalendar"
    verbose_name = "工作日历"
