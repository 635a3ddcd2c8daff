from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tongban.site.views import public_media

admin.site.site_header = "通办 · 管理后台"
admin.site.site_title = "通办管理后台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("tongban.api.urls")),
    path("accounts/", include(("tongban.accounts.urls", "accounts"))),
    path("org/", include(("tongban.organisations.urls", "organisations"))),
    path("workdays/", include(("tongban.workdays.urls", "workdays"))),
    path("notifications/", include(("tongban.notifications.urls", "notifications"))),
    path("supervision/", include(("tongban.supervision.urls", "supervision"))),
    path("hall/", include(("tongban.hall.urls", "hall"))),
    path("kiosk/", include(("tongban.hall.kiosk_urls", "kiosk"))),
    path("work/", include(("tongban.cases.staff_urls", "work"))),
    path("analytics/", include(("tongban.analytics.urls", "analytics"))),
    path("ratings/", include(("tongban.ratings.urls", "ratings"))),
    path("", include("tongban.site.urls")),
    path("", include(("tongban.cases.urls", "cases"))),
    path("", include(("tongban.catalogue.urls", "catalogue"))),
]

if settings.TONGBAN_SERVE_PUBLIC_MEDIA:
    # Only the catalogue's public files (blank forms, samples) are served directly; applicants' uploads are
    # served by scoped views. In production a web server or object storage serves /media/catalogue/.
    urlpatterns += [
        path(
            "media/catalogue/<path:path>", public_media, {"document_root": settings.MEDIA_ROOT / "catalogue"}
        )
    ]

handler404 = "tongban.site.views.page_not_found"
handler403 = "tongban.site.views.permission_denied"
handler500 = "tongban.site.views.server_error"
