"""/demo/ (included by config.urls only when settings.DEMO is on)."""

from django.urls import path

from channels_app.demo import views

app_name = "demo"
urlpatterns = [
    path("", views.demo_page, name="index"),
    path("buy/", views.demo_buy_view, name="buy"),
]
