from django.urls import path

from muster.lti import views

app_name = "lti"

urlpatterns = [
    path("lti/jwks.json", views.jwks, name="jwks"),
    path("lti/login/", views.login, name="login"),
    path("lti/launch/", views.launch, name="launch"),
    path("lti/launch/storage/", views.launch_storage, name="launch-storage"),
    path("lti/deep-link/", views.deep_link, name="deep-link"),
    path("lti/continue/", views.continue_launch, name="continue"),
    path("lti/register/<str:token>/", views.register, name="register"),
    path("lti/links/<int:pk>/roster/", views.roster_sync, name="roster"),
    path("agencies/<slug:code>/lms-links/", views.links, name="links"),
]
