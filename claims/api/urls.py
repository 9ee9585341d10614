from rest_framework.routers import SimpleRouter

from claims.api.views import ClaimSyncViewSet, ClaimViewSet

router = SimpleRouter()
router.register("claims/sync", ClaimSyncViewSet, basename="claim-sync")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = router.urls
