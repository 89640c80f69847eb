app_name = "franchise"
urlpatterns: list = []
