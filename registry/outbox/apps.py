from django.apps import AppConfig, apps
from django.db.models.signals import post_save


class OutboxConfig(AppConfig):
    name = "registry.outbox"
    verbose_name = "外发消息"

    def ready(self):
        """Listen to the transition logs; the certificate log only when the certificates app has one."""
        from registry.outbox import events

        _chinese_names_of_the_task_apps()

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


# The console's names of the task apps' pages. Runtime names only: Meta options as declared (which
# migrations read) stay the packages' own, so no migration of theirs is asked for.
TASK_APP_NAMES = {
    "django_tasks_database": ("后台任务", {"DBTaskResult": ("后台任务", "后台任务")}),
    "django_rq": ("任务队列", {"Dashboard": ("任务队列（RQ）", "任务队列（RQ）")}),
}


def _chinese_names_of_the_task_apps() -> None:
    for label, (app_name, models) in TASK_APP_NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        config.verbose_name = app_name
        for model_name, (one, many) in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = one, many
