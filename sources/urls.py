from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("<int:pk>/content/", views.snapshot_content, name="snapshot-content"),
    path("<int:pk>/text/", views.snapshot_text, name="snapshot-text"),
    path("<int:pk>/warc/", views.snapshot_warc, name="snapshot-warc"),
    path("<int:pk>/screenshot/", views.snapshot_screenshot, name="snapshot-screenshot"),
    path("<int:pk>/wacz/", views.snapshot_wacz, name="snapshot-wacz"),
]
