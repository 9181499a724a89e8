from django.urls import path

from registry.certificates import views

app_name = "certificates"
urlpatterns = [
    # The link the QR code carries (CERTIFICATE_VERIFY_BASE_URL); any text reaches the view, which
    # answers a malformed one itself, never with a 404 that would hint at which ids exist. First: the
    # busiest page, and the resolver tries the patterns in order (none of the others can match it).
    path("verify/<str:public_id>", views.verify, name="verify"),
    path("", views.my_certificates, name="mine"),
    path("claim/", views.claim, name="claim"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/preview.png", views.certificate_preview, name="preview"),
    path("<int:pk>/print/", views.certificate_print, name="print"),
    path("<int:pk>/download/", views.certificate_download, name="download"),
    path("search/", views.registry_search, name="search"),
    path("check/", views.upload_check, name="check"),
    path("receipt/", views.verification_receipt, name="receipt"),
]
