"""Language choice: Chinese unless the visitor chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language browser in a
Chinese service hall would get English pages. Here only an explicit choice (the language switch sets the
language cookie) changes the language; everybody else gets settings.LANGUAGE_CODE (zh-hans).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
