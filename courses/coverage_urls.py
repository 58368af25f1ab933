app_name = "coverage"

urlpatterns = []
