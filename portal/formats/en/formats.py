"""English pages of a Vietnamese portal: dates are still typed and shown day first (dd/mm/yyyy),
as on every Vietnamese paper; Django's 'en' month-first formats (mm/dd/yyyy) are never accepted."""

from django.conf.locale.en.formats import *  # noqa: F403

from core.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
