"""URLs of sign-in, identity checks and enterprise authentication.

No URL carries an ID number: people are found by a posted form and addressed by primary key.
"""

from django.urls import path

from registry.people import views

app_name = "people"
urlpatterns = [
    path("ykb/login/", views.ykb_login, name="ykb_login"),
    path("ykb/callback/", views.ykb_callback, name="ykb_callback"),
    path("face/", views.face_check, name="face_check"),
    path("face/return/", views.face_return, name="face_return"),
    path("account/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path("enterprise/authenticate/", views.enterprise_auth_page, name="enterprise_auth"),
    path("enterprise/authenticate/lock/", views.enterprise_lock_return, name="enterprise_lock_return"),
    path("enterprise/<int:pk>/operators/", views.enterprise_operators, name="enterprise_operators"),
    path("district/enterprises/", views.district_enterprises, name="district_enterprises"),
    path("district/enterprises/<int:pk>/", views.district_enterprise, name="district_enterprise"),
    path("district/enterprises/<int:pk>/scans/<int:auth_pk>/<slug:kind>/", views.enterprise_scan,
         name="enterprise_scan"),
    path("persons/find/", views.person_lookup, name="person_lookup"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
]
