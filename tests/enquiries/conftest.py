"""Written requests: a topic per function and a helper that opens a case as
the public form would. Every requester is invented."""

import pytest

from enquiries import services
from enquiries.models import Channel, Topic


@pytest.fixture
def topics(db) -> dict[str, Topic]:
    return {
        "service": Topic.objects.create(code="service", name_en="Home services", name_zh_hans="上门服务",
                                        name_sv="Hemtjänst", function="front_desk"),
        "complaint": Topic.objects.create(code="complaint", name_en="Complaints", name_zh_hans="投诉",
                                          name_sv="Klagomål", function="dispatch_lead", reply_days=5),
    }


@pytest.fixture
def receive(topics):
    """receive(**overrides) -> a new case from the web form."""

    def make(**fields):
        values = {
            "channel": Channel.WEB, "body": "Could someone fix the light in my hallway?",
            "requester_name": "Lin Xiaoyu", "requester_email": "lin.xiaoyu@example.org",
            "language": "en", "topic": topics["service"],
        }
        values.update(fields)
        return services.enquiry_receive(**values)

    return make
