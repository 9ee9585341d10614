from rest_framework.routers import SimpleRouter

from ownership.api.views import EntityViewSet

router = SimpleRouter()
router.register("entities", EntityViewSet, basename="entity")

urlpatterns = router.urls
