from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "registry.applications"
    verbose_name = "注册申请"
