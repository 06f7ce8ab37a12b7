"""What the follow-up screens' forms share."""

from django.utils.translation import gettext_lazy

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
