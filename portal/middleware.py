"""Request middleware of the portal.

Vietnamese first: the portal speaks Vietnamese unless the user picked English in the header.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a citizen whose phone
is set to English would get an English portal they never asked for. Here only the language
cookie (set by the header switch) changes the language.
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Pages an anonymous visitor reaches that still show one person's data (found by a code and PIN,
# a survey token, a feedback code, a link sent by e-mail): never kept by a browser or a proxy.
PRIVATE_VIEW_NAMES = frozenset({
    "dossiers:track",
    "dossiers:track_apology_pdf",
    "dossier-track",
    "satisfaction:kiosk",
    "satisfaction:survey",
    "satisfaction:slip",
    "feedback:new",
    "feedback:detail",
    "accounts:verify_email",
    "accounts:password_reset_confirm",
})


class NoStorePersonalDataMiddleware:
    """`Cache-Control: private, no-store` on every response that may carry personal data.

    That is every response to a logged-in user (session or API token), every file download
    (attachments, receipts, printed forms, exports) and the anonymous pages listed in
    PRIVATE_VIEW_NAMES, so a shared computer's cache, the Back button after logging out or a
    proxy never hands one person's dossier to the next. Public catalogue pages keep their caching
    headers; static files never reach this middleware (WhiteNoise answers them first).
    """

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._is_personal(request, response):
            response.headers["Cache-Control"] = self.VALUE
            response.headers.pop("Expires", None)
        return response

    @staticmethod
    def _is_personal(request, response) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        if "Authorization" in request.headers:
            return True
        if response.streaming or response.has_header("Content-Disposition"):
            return True
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in PRIVATE_VIEW_NAMES


class RefuseNulMiddleware:
    """A NUL character (%00) in the path or the query string is a 400 (JSON under /api/, the 400 page elsewhere).

    PostgreSQL can neither store nor compare a string holding NUL, so such a value would otherwise end as a 500 in
    the first query that uses it (a search term, a code in the URL). Form and JSON fields are already guarded by
    Django's and REST framework's CharField validators.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            raise BadRequest("Yêu cầu chứa ký tự NUL (%00) không hợp lệ.")
        return self.get_response(request)
