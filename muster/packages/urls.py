"""URLs of content packages: authoring upload, the learner's player, the content origin."""

from django.urls import path

from muster.packages import screens, views

app_name = "packages"

urlpatterns = [
    path("authoring/packages/new/", views.upload, name="upload"),
    path(
        "authoring/packages/<slug:slug>/cmi5.xml",
        views.cmi5_structure,
        name="cmi5-structure",
    ),
    path(
        "authoring/packages/<slug:slug>/cmi5-package/",
        views.cmi5_package,
        name="cmi5-package",
    ),
    path("learn/<slug:slug>/package/", views.play, name="play"),
    path("learn/<slug:slug>/package/finish/", views.finish, name="finish"),
    path("learn/<slug:slug>/package/record/", views.record, name="record"),
    path("learn/<slug:slug>/package/<int:position>/", views.play, name="play-item"),
    path("agencies/<str:code>/cmi5/", screens.cmi5_courses, name="cmi5-courses"),
    path(
        "agencies/<str:code>/cmi5/<int:course_id>/",
        screens.cmi5_course,
        name="cmi5-course",
    ),
    path(
        "agencies/<str:code>/cmi5/statements/<int:enrollment_id>/<int:position>/",
        screens.cmi5_statements,
        name="cmi5-statements",
    ),
    path(
        "agencies/<str:code>/cmi5/waive/<int:enrollment_id>/<int:position>/",
        views.cmi5_waive,
        name="cmi5-waive",
    ),
    # Served only on the content origin (muster/packages/middleware.py).
    path("package-content/<str:token>/", views.launcher, name="launcher"),
    path("package-content/<str:token>/commit/", views.commit, name="commit"),
    path(
        "package-content/<str:token>/cmi5/fetch/", views.cmi5_fetch, name="cmi5-fetch"
    ),
    path(
        "package-content/<str:token>/cmi5/return/",
        views.cmi5_return,
        name="cmi5-return",
    ),
    path(
        "package-content/<str:token>/files/<path:path>",
        views.package_file,
        name="file",
    ),
]
