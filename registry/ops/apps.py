from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "registry.ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from registry.ops.logs import install_request_id_factory

        install_request_id_factory()
