"""What the follow-up screens share: the forms' yes/no, and the record of
the residents each screen shows."""

from django.utils.translation import gettext_lazy

from dispatch.models import ResidentAccess
from dispatch.services import resident_accesses_record

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def residents_read(request, residents, action: str) -> None:
    """A screen that shows residents' data writes the access log: a list as
    a search (each one shown), one resident's page as a view."""
    resident_accesses_record(actor=request.user, residents=list(residents), action=action)


SEARCH, VIEW = ResidentAccess.Action.SEARCH, ResidentAccess.Action.VIEW
