from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "registry.people"
    verbose_name = "人员与企业"

    def ready(self) -> None:
        from registry.people import signals  # noqa: F401 - connects the audit receivers
