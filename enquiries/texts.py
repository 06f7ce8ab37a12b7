"""What the requester reads: the acknowledgement, the replies' mail, the
illness referral and the standard replies, in the requester's language (the
caller wraps them in `translation.override`). Deployment-specific parts come
from settings: the department's name, phone and hours, the medical advice line.
"""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Words that suggest a question about one's own illness; they only flag the
# case for the desk (a false positive must never refuse a real request).
_ILLNESS_KEYWORDS = {
    "zh-hans": ("病", "疼", "痛", "药", "症状", "诊断", "发烧", "血压", "血糖", "头晕"),
    "en": ("ill", "sick", "pain", "symptom", "medic", "diagnos", "fever", "dizz", "blood pressure"),
    "sv": ("sjuk", "ont", "smärt", "symtom", "medicin", "diagnos", "feber", "yrsel", "blodtryck"),
}


def illness_keywords() -> dict[str, tuple[str, ...]]:
    return getattr(settings, "ENQUIRY_ILLNESS_KEYWORDS", None) or _ILLNESS_KEYWORDS


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _function_name(enquiry) -> str:
    from core.roles import Role

    return str(Role(enquiry.function).label) if enquiry.function in Role.values else enquiry.function


def illness_notice() -> str:
    return _(
        "We do not answer questions about your own illness in writing. Please contact your care provider, "
        "or call the medical advice line %(line)s."
    ) % {"line": settings.MEDICAL_ADVICE_LINE}


def desk_line() -> str:
    if settings.DEPARTMENT_PHONE:
        return _("You can also call the desk on %(phone)s, open %(hours)s on working days.") % {
            "phone": settings.DEPARTMENT_PHONE, "hours": settings.DEPARTMENT_HOURS}
    return _("The desk is open %(hours)s on working days.") % {"hours": settings.DEPARTMENT_HOURS}


def acknowledgement(enquiry, status_url: str, days: int) -> tuple[str, str]:
    subject = _("We have received your request %(reference)s") % {"reference": enquiry.reference}
    lines = [
        _("Thank you for writing to %(department)s.") % {"department": settings.DEPARTMENT_NAME},
        "",
        _("Your reference: %(reference)s") % {"reference": enquiry.reference},
        _("Handled by: %(function)s") % {"function": _function_name(enquiry)},
        ngettext(
            "You will have our answer within %(days)d working day, at the latest %(due)s.",
            "You will have our answer within %(days)d working days, at the latest %(due)s.",
            days,
        ) % {"days": days, "due": _when(enquiry.reply_due_at)},
        "",
        _("Follow your request here: %(url)s") % {"url": status_url},
        _("To add something, answer this e-mail or write on that page."),
        "",
        illness_notice(),
        desk_line(),
    ]
    return subject, "\n".join(lines)


def reply_mail(enquiry, body: str, status_url: str) -> tuple[str, str]:
    subject = _("Answer to your request %(reference)s") % {"reference": enquiry.reference}
    lines = [
        body,
        "",
        "--",
        _("Your reference: %(reference)s") % {"reference": enquiry.reference},
        _("Follow your request here: %(url)s") % {"url": status_url},
        _("To answer, reply to this e-mail or write on that page."),
        desk_line(),
    ]
    return subject, "\n".join(lines)


def illness_referral() -> str:
    return "\n".join([
        _("Thank you for your message."),
        illness_notice(),
        _("If it is urgent, call the emergency number."),
    ])
