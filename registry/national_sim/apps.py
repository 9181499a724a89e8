from django.apps import AppConfig


class NationalSimConfig(AppConfig):
    name = "registry.national_sim"
    label = "national_sim"
    verbose_name = "全国平台模拟接收端（仅演示）"
