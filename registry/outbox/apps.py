from django.apps import AppConfig, apps
from django.db.models.signals import post_save


class OutboxConfig(AppConfig):
    name = "registry.outbox"
    verbose_name = "外发消息"

    def ready(self):
        """Listen to the transition logs; the certificate log only when the certificates app has one."""
        from registry.outbox import events

        post_save.connect(events.on_application_transition, sender="applications.ApplicationTransition",
                          dispatch_uid="outbox.application_transition")
        post_save.connect(events.on_registration_transition, sender="applications.RegistrationTransition",
                          dispatch_uid="outbox.registration_transition")
        try:
            apps.get_model("certificates", "CertificateTransition")
        except LookupError:
            return
        post_save.connect(events.on_certificate_transition, sender="certificates.CertificateTransition",
                          dispatch_uid="outbox.certificate_transition")
