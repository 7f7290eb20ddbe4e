"""Vietnamese formats: Django's, with dates typed day first (dd/mm/yyyy) and ISO, never month first.

Django's 'vi' locale has no *_INPUT_FORMATS, so it fell back to the global ones, which read
"06/12/2026" as 12 June. Dates are shown in the same order (the first input format).
"""

from django.conf.locale.vi.formats import *  # noqa: F403

from core.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
# Django's 'vi' has a thousands separator but no grouping: `intcomma` wrote 66800. Grouped by three, as Vietnamese
# writes numbers (66.800); only where a template asks for it (USE_THOUSAND_SEPARATOR stays off).
NUMBER_GROUPING = 3
