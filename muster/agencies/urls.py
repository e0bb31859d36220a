"""URLs of the agencies app: the home page and the person pages."""

from django.urls import path

from muster.agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/<int:pk>/", views.person_detail, name="person"),
]
