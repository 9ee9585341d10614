from django.urls import path

from sources import ownership_views

app_name = "ownership"

urlpatterns = [
    path("<int:pk>/ownership.svg", ownership_views.entity_ownership, name="entity-svg"),
]
