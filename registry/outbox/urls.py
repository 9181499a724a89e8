from django.urls import path

from registry.outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.operator_page, name="operator"),
    path("<int:pk>/action/", views.operator_action, name="operator_action"),
    path("enterprise/<int:pk>/webhooks/", views.enterprise_webhooks, name="enterprise_webhooks"),
]
