"""The signed-in officer's own transfer requests, under /my/transfers/."""

from django.urls import path

from muster.transfers import transfer_views

app_name = "my_transfers"

urlpatterns = [
    path("", transfer_views.my_transfers, name="list"),
    path("<int:pk>/answer/", transfer_views.answer_transfer, name="answer"),
]
