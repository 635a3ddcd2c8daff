from django.conf import settings


def site(request):
    """Site name and the visitor's display preferences (elder-friendly mode) for every template."""
    return {
        "SITE_NAME": settings.TONGBAN_SITE_NAME,
        "ELDER_MODE": request.COOKIES.get("tb_elder") == "1",
    }
