from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "registry.workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from registry.workcalendar import signals  # noqa: F401  (connects the receivers)
