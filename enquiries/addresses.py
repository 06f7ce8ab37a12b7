"""The per-case Reply-To address: `case+<reference>.<signature>@MAIL_REPLY_DOMAIN`.

A reply to it threads into its case (the first of the threading rules of
enquiries.mail_in) only when the signature is right, so nobody reaches a case
by guessing its reference. Mail systems may change the case of a local part:
the signature is lowercase base32 and the check ignores case.
"""

import base64
import hashlib
import hmac
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare

_LOCAL = re.compile(r"^case\+(?P<reference>e-\d{4}-\d{6})\.(?P<signature>[a-z2-7]{16})$", re.IGNORECASE)


def _signature(reference: str) -> str:
    key = hashlib.sha256(f"enquiries.reply-to:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, reference.upper().encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode().lower()


def reply_address(reference: str) -> str:
    return f"case+{reference.lower()}.{_signature(reference)}@{settings.MAIL_REPLY_DOMAIN}"


def reference_from_address(address: str) -> str | None:
    """The case reference a Reply-To address carries, if its signature is
    right and its domain ours; else None."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != settings.MAIL_REPLY_DOMAIN.lower():
        return None
    match = _LOCAL.match(local)
    if match is None:
        return None
    reference = match["reference"].upper()
    return reference if constant_time_compare(_signature(reference), match["signature"].lower()) else None
