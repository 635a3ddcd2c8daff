from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("prefs/elder", views.toggle_elder_mode, name="toggle-elder"),
    path("favicon.ico", views.favicon, name="favicon"),
]
