from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "registry.certificates"
    verbose_name = "电子注册证书"
