"""The xAPI resources, at the paths Part Three names (no trailing slash).

A doubled slash after the endpoint (`/xapi//statements`) is accepted too: clients
join the endpoint and the resource with "/" whether the endpoint ends in one or
not, and cmi5 launch URLs give the endpoint with its slash."""

from django.urls import re_path

from muster.xapi import views

app_name = "xapi"

urlpatterns = [
    re_path(r"^(?:/)?about/?$", views.about, name="about"),
    re_path(r"^(?:/)?statements/?$", views.statements, name="statements"),
    re_path(r"^(?:/)?activities/state/?$", views.state, name="state"),
    re_path(
        r"^(?:/)?activities/profile/?$", views.activity_profile, name="activity-profile"
    ),
    re_path(r"^(?:/)?activities/?$", views.activities, name="activities"),
    re_path(r"^(?:/)?agents/profile/?$", views.agent_profile, name="agent-profile"),
    re_path(r"^(?:/)?agents/?$", views.agents, name="agents"),
    # Anything else under the endpoint: 404 with the headers of an xAPI answer.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
