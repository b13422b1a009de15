"""Routes of the shipping API."""

app_name = "shipping_api"
urlpatterns: list = []
