from django.contrib.auth import views as auth_views
from django.urls import path

from leadline.accounts.admin import admin_site
from leadline.console import interactions_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    path("growth/interactions/", interactions_views.interaction_list_page, name="interactions"),
    path(
        "growth/interactions/export.csv",
        interactions_views.interaction_export,
        name="interactions-export",
    ),
    path(
        "growth/interactions/<int:interaction_id>/",
        interactions_views.interaction_page,
        name="interaction",
    ),
    path(
        "growth/interactions/<int:interaction_id>/drawer/",
        interactions_views.interaction_drawer,
        name="interaction-drawer",
    ),
]

handler403 = "leadline.console.errors.forbidden"
handler404 = "leadline.console.errors.not_found"
handler500 = "leadline.console.errors.server_error"
