from django.contrib.auth import views as auth_views
from django.urls import path

# Registration and the lockout-aware login form are added by the accounts work (issue 2, point 3).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", auth_views.LoginView.as_view(), name="register"),
]
