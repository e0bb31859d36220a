"""URLs of plans."""

from django.urls import path

from muster.plans import views, whatif_views

app_name = "plans"

urlpatterns = [
    path("people/<int:pk>/plan/", views.person_plan, name="person"),
    path("agencies/<slug:code>/plan/", views.agency_plan, name="agency"),
    path("agencies/<slug:code>/plan.csv", views.agency_plan_csv, name="agency-csv"),
    path("states/<str:state>/what-if/", whatif_views.drafts, name="drafts"),
    path(
        "states/<str:state>/what-if/new-file/",
        whatif_views.new_file,
        name="new-file",
    ),
    path("states/<str:state>/what-if/<int:pk>/", whatif_views.draft, name="draft"),
    path(
        "states/<str:state>/what-if/<int:pk>/draft.yaml",
        whatif_views.draft_yaml,
        name="draft-yaml",
    ),
    path(
        "states/<str:state>/what-if/<int:pk>/runs/<int:run>/",
        whatif_views.run,
        name="run",
    ),
    path(
        "states/<str:state>/what-if/<int:pk>/runs/<int:run>/report.csv",
        whatif_views.run_csv,
        name="run-csv",
    ),
    path(
        "states/<str:state>/what-if/<int:pk>/runs/<int:run>/chart.svg",
        whatif_views.run_chart,
        name="run-chart",
    ),
]
