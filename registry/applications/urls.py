from django.urls import path

from registry.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("new/", views.new_application, name="new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.edit_application, name="edit"),
    path("<int:pk>/materials/", views.upload_material, name="upload"),
    path("<int:pk>/materials/<int:material_pk>/", views.material_file, name="material"),
    path("<int:pk>/materials/<int:material_pk>/remove/", views.remove_material, name="remove_material"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/refusal-decision/", views.refusal_decision, name="refusal_decision"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/return/", views.employer_return, name="return"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/supplement/", views.supplement, name="supplement"),
    path("employer/", views.employer_pending, name="employer_pending"),
    path("employer/staff/", views.employer_staff, name="employer_staff"),
    path("review/", views.queue, name="queue"),
]
