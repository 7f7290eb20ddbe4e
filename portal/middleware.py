"""Vietnamese first: the portal speaks Vietnamese unless the user picked English in the header.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a citizen whose phone
is set to English would get an English portal they never asked for. Here only the language
cookie (set by the header switch) changes the language.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
