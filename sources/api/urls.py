from rest_framework.routers import SimpleRouter

from sources.api.views import EntityViewSet, SnapshotViewSet

router = SimpleRouter()
router.register("entities", EntityViewSet, basename="entity")
router.register("snapshots", SnapshotViewSet, basename="snapshot")

urlpatterns = router.urls
