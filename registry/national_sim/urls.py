from django.urls import path

from registry.national_sim import views

app_name = "national_sim"
urlpatterns = [
    path("api/messages", views.receive, name="receive"),
    path("", views.messages_page, name="messages"),
]
