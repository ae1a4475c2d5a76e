"""Django's makemessages, also extracting `_g(...)`: Guanxi's modules import `gettext as _g` beside
`gettext_lazy as _`, and xgettext does not know that alias by itself."""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_g"]
