from django.apps import AppConfig


class YkbSimConfig(AppConfig):
    name = "registry.ykb_sim"
    label = "ykb_sim"
    verbose_name = "渝快办模拟器（仅演示）"
