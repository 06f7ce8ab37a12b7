"""Reading phone numbers as people write them.

`phonenumbers` parses any usual spelling (spaces, dashes, brackets, +86 or
0086, a trunk 0) in the region of PHONE_REGION; the result is stored and
compared in E.164, so one number has one spelling.
"""

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import InvalidInput


def parse_phone(raw: str, *, field: str = "phone") -> str:
    """The E.164 form of `raw`, or InvalidInput naming what was read."""
    text = (raw or "").strip()
    if text.startswith("00"):
        # International prefix as dialled from China and Sweden alike.
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        message = _("“%(raw)s” is not a valid phone number.") % {"raw": raw}
        if number is not None:
            message += " " + _("It was read as %(read)s.") % {
                "read": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            }
        raise InvalidInput(message, fields={field: [message]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
