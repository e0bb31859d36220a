"""URLs of content packages: authoring upload, the learner's player, the content origin."""

from django.urls import path

from muster.packages import views

app_name = "packages"

urlpatterns = [
    path("authoring/packages/new/", views.upload, name="upload"),
    path("learn/<slug:slug>/package/", views.play, name="play"),
    path("learn/<slug:slug>/package/finish/", views.finish, name="finish"),
    path("learn/<slug:slug>/package/<int:position>/", views.play, name="play-item"),
    # Served only on the content origin (muster/packages/middleware.py).
    path("package-content/<str:token>/", views.launcher, name="launcher"),
    path("package-content/<str:token>/commit/", views.commit, name="commit"),
    path(
        "package-content/<str:token>/files/<path:path>",
        views.package_file,
        name="file",
    ),
]
