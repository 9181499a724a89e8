from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "registry.people"
    verbose_name = "人员与企业"
