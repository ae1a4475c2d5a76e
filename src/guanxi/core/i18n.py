"""Strings that libraries show on Guanxi's pages without a Simplified Chinese translation of their own.

Listing them here puts them into core's catalogue (`core/locale/zh_Hans`), and Django merges every
app's catalogue into one, so our translation is used wherever the library shows the string. Nothing
imports this module; `makemessages` reads it. Remove an entry once the library translates it."""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = [
    # Django 6: the blank choice of a select ("BLANK_CHOICE_LABEL"); its zh_Hans catalogue lacks it.
    gettext_noop("- Select an option -"),
]
