from django.urls import path

from registry.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.my_certificates, name="mine"),
    path("claim/", views.claim, name="claim"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/preview.png", views.certificate_preview, name="preview"),
    path("<int:pk>/print/", views.certificate_print, name="print"),
    path("<int:pk>/download/", views.certificate_download, name="download"),
]
