from django.urls import path

from ownership import views

app_name = "ownership"

urlpatterns = [
    path("<int:pk>/ownership.svg", views.entity_ownership, name="entity-svg"),
]
