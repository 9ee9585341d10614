from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claims/<int:pk>/", views.claim_detail, name="detail"),
]
