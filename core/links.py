"""Link secrets sent to people outside (DESIGN.md section 10): random, stored
only as a digest, scoped to one object, revocable and with an end.

An app keeps its links in a model of its own built on `LinkToken`; it gives
the secret once, in the link it sends, and looks a link up by the secret's
digest. Opening a link only shows a page: whatever changes data is a POST
from that page, since mail scanners open every link first.
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 32 random bytes, URL-safe: 43 characters.
SECRET_BYTES = 32


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """The stored form of a secret: SHA-256, hex. A link's secret has 256
    random bits, so a fast hash is enough (nothing to guess from the digest)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class LinkToken(models.Model):
    """A link's secret, by digest. Subclasses add the object it opens."""

    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # None: valid as long as the object says (e.g. until 30 days after closing).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
