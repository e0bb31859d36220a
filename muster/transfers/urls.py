"""URLs of imports and exports, mounted under /agencies/<code>/."""

from django.urls import path

from muster.transfers import transfer_views, views

app_name = "transfers"

urlpatterns = [
    path("import/roster/", views.import_start, {"kind": "roster"}, name="roster"),
    path("import/training/", views.import_start, {"kind": "training"}, name="training"),
    path(
        "import/roster/template.csv",
        views.import_template,
        {"kind": "roster"},
        name="roster-template",
    ),
    path(
        "import/training/template.csv",
        views.import_template,
        {"kind": "training"},
        name="training-template",
    ),
    path("import/<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("import/<int:pk>/", views.import_preview, name="preview"),
    path("transfers/", transfer_views.agency_transfers, name="transfers"),
    path(
        "transfers/<int:pk>/release/",
        transfer_views.release_transfer,
        name="transfer-release",
    ),
    path(
        "transfers/<int:pk>/withdraw/",
        transfer_views.withdraw_transfer,
        name="transfer-withdraw",
    ),
    path("import/<int:pk>/undo/", views.import_undo, name="undo"),
    path("exports/", views.export_list, name="exports"),
    path(
        "exports/compliance.csv",
        views.compliance_export,
        {"fmt": "csv"},
        name="compliance-csv",
    ),
    path(
        "exports/compliance.pdf",
        views.compliance_export,
        {"fmt": "pdf"},
        name="compliance-pdf",
    ),
    path("exports/compliance/", views.compliance_export_ask, name="compliance-ask"),
    path("exports/jobs/<int:pk>/", views.export_job, name="export-job"),
    path(
        "exports/jobs/<int:pk>/download",
        views.export_job_download,
        name="export-job-download",
    ),
    path("exports/tn-in-service.csv", views.tennessee_export, name="tn-in-service"),
    path("exports/mo-clee-roster.csv", views.missouri_export, name="mo-clee-roster"),
    path("people/<int:pk>/transcript.pdf", views.transcript_export, name="transcript"),
]
