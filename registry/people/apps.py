from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "registry.people"
    verbose_name = "人员与企业"

    def ready(self) -> None:
        from registry.people import signals  # noqa: F401 - connects the audit receivers

        _chinese_blank_choice()


def _chinese_blank_choice() -> None:
    """Give every select's empty choice a Chinese label.

    Django 6 labels it "- Select an option -" and its Simplified Chinese catalogue has no translation
    yet; Django's documented way to change the label is to override BLANK_CHOICE_LABEL in ready().
    """
    from django.db.models import fields
    from django.utils.translation import gettext_lazy

    fields.BLANK_CHOICE_LABEL = gettext_lazy("- 请选择 -")
