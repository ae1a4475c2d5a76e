"""Number formats for Simplified Chinese: Django's own group no digits; business figures are read in
thousands (1,234,567.89) in Chinese CRMs and spreadsheets alike. Dates follow Django's zh_Hans formats."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
