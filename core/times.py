"""Times people give: every time a person types is checked against what it
means, by the services of every app with these constants: an agreed time
lies between now and AGREED_HORIZON ahead, a time something happened between
its occasion (a collection, a planned visit) and now.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput

# And no stored time a person gave lies outside EARLIEST_TIME and LATEST_TIME
# (the models hold it with check constraints): every zone's UTC offset has
# been whole minutes since 1972, so such a time reads as RFC 3339 in any zone
# (before 1901 Asia/Shanghai's offset was local mean time, +08:05:43, and a
# year-one return was answered as 0001-01-01T08:05:43+08:05:43), and
# converting it between zones never leaves datetime's range (years 1 to 9999).
EARLIEST_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST_TIME = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)

# A time typed at the desk a moment ago is still "now", not the past; and a
# time read off a watch may be a few minutes off the server's clock.
PAST_GRACE = datetime.timedelta(minutes=5)
# How far ahead anyone agrees a time (an appointment, a home visit): further
# is a typing error (2062 for 2026), not a plan.
AGREED_HORIZON = datetime.timedelta(days=365)


def time_refused(field: str, message: str) -> InvalidInput:
    """The error for a time outside its window, by its field."""
    return InvalidInput(message, fields={field: [message]})


def local_minute(moment: datetime.datetime) -> str:
    """A time as a message names it: the minute, in the department's zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def agreed_time_check(*, field: str, value: datetime.datetime, now: datetime.datetime) -> None:
    """Raise InvalidInput (on `field`) when an agreed time lies more than
    AGREED_HORIZON ahead of `now`. Whether it may lie in the past is the
    caller's rule (an appointment a moment ago is "now"; a home visit must be
    ahead)."""
    if value > now + AGREED_HORIZON:
        raise time_refused(
            field, _("The time is too far ahead: agree a time within %(days)d days.") % {"days": AGREED_HORIZON.days}
        )
