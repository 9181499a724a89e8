from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "registry.certificates"
    verbose_name = "电子注册证书"

    def ready(self) -> None:
        """Connect the receiver that issues, re-issues and cancels certificates on registration changes."""
        from registry.applications.signals import registration_changed
        from registry.certificates import receivers

        registration_changed.connect(receivers.registration_changed_receiver,
                                     dispatch_uid="certificates.registration_changed")
