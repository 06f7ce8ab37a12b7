"""Invented demo data: a catalog a community care department offers, areas,
residents, workers, partner units and one login per role. Every person here
is made up; phone numbers are generated and checked valid, not real ones."""

from decimal import Decimal

SKILLS = [
    ("cleaning", "保洁", "Cleaning"),
    ("cooking", "烹饪送餐", "Cooking and meals"),
    ("personal_care", "生活照料", "Personal care"),
    ("nursing", "护理", "Nursing"),
    ("repair", "维修", "Repairs"),
    ("escort", "陪同", "Escorting"),
    ("driving", "驾驶", "Driving"),
]

# code, name, name_en, category, price, unit, chargeable, needs_card, approval, skill, minutes, target
SERVICES = [
    ("clean-home", "居家保洁", "Home cleaning", "on_demand", "30", "次", True, True, "", "cleaning", 120, 1440),
    ("clean-weekly", "每周保洁", "Weekly cleaning", "subscription", "100", "月", True, True, "", "cleaning", 120, 2880),
    ("meal-deliver", "送餐上门", "Meal delivery", "on_demand", "12", "餐", True, True, "", "cooking", 30, 120),
    ("meal-weekly", "长期助餐", "Regular meals", "subscription", "300", "月", True, True, "", "cooking", 30, 1440),
    ("bath-help", "助浴服务", "Bathing help", "on_demand", "50", "次", True, True, "", "personal_care", 90, 1440),
    ("hair-cut", "上门理发", "Haircut at home", "on_demand", "10", "次", True, True, "", "personal_care", 40, 2880),
    ("nail-care", "修脚护理", "Foot and nail care", "on_demand", "20", "次", True, True, "", "nursing", 40, 2880),
    ("bp-check", "血压血糖测量", "Blood pressure and sugar check", "on_demand", "0", "次", False, True, "", "nursing", 20, 1440),
    ("med-remind", "用药提醒", "Medication reminder", "subscription", "0", "月", False, True, "", "nursing", 10, 1440),
    ("wound-care", "伤口护理", "Wound care", "on_demand", "40", "次", True, True, "special", "nursing", 45, 240),
    ("repair-water", "水电维修", "Plumbing and electrical repair", "on_demand", "30", "次", True, False, "", "repair", 60, 480),
    ("repair-lock", "开锁换锁", "Lock repair", "on_demand", "50", "次", True, False, "", "repair", 30, 60),
    ("grab-bar", "适老化扶手安装", "Grab bar installation", "on_demand", "80", "处", True, True, "external", "repair", 90, 4320),
    ("escort-hospital", "陪同就医", "Escort to hospital", "on_demand", "40", "次", True, True, "", "escort", 240, 180),
    ("escort-errand", "代购代办", "Shopping and errands", "on_demand", "0", "次", False, True, "", "escort", 60, 1440),
    ("transport", "助行接送", "Transport", "on_demand", "20", "次", True, True, "", "driving", 60, 3),
    ("chat-visit", "上门陪聊", "Companionship visit", "on_demand", "0", "次", False, True, "", "", 60, 2880),
    ("phone-check", "电话问候", "Wellbeing phone call", "subscription", "0", "月", False, False, "", "", 10, 1440),
    ("home-assistant", "家政助理(合作单位)", "Home assistant (partner)", "on_demand", "35", "小时", True, True, "external", "", 240, 2880),
    ("senior-uni", "老年大学课程", "Seniors' university course", "subscription", "200", "学期", True, True, "external", "", 90, 4320),
    ("rehab", "康复训练", "Rehabilitation exercise", "on_demand", "60", "次", True, True, "special", "nursing", 60, 2880),
    ("emergency-call", "紧急呼叫响应", "Emergency call response", "on_demand", "0", "次", False, False, "", "personal_care", 60, 15),
    ("laundry", "衣物洗涤", "Laundry", "on_demand", "15", "袋", True, True, "", "cleaning", 60, 1440),
    ("register-visit", "上门登记评估", "Home visit to register", "on_demand", "0", "次", False, False, "", "", 45, 2880),
]

AREAS = [
    # name, office phone (landline), served
    ("幸福里社区", "010 6521 3301", True),
    ("和平街社区", "010-6521-3302", True),
    ("向阳社区", "(010) 65213303", True),
    ("东湖社区", "010 6521 3304", True),
    ("北山社区", "010 6588 4401", False),
    ("南河社区", "010 6588 4402", False),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "玉兰", "建国", "国华", "淑珍", "凤英", "德明", "志强", "丽华", "文华", "春生", "金凤", "长林", "素芳"]
STREETS = ["幸福路", "和平街", "向阳大道", "东湖路", "团结巷", "光明路"]
RELATIONS = ["儿子", "女儿", "侄子", "邻居", "老伴"]

WORKERS = [
    ("周师傅", ["repair", "driving"]),
    ("李阿姨", ["cleaning", "cooking"]),
    ("王护士", ["nursing", "personal_care"]),
    ("张大姐", ["cleaning", "personal_care", "escort"]),
    ("陈师傅", ["repair"]),
    ("刘小梅", ["cooking", "escort", "personal_care"]),
    ("赵护士", ["nursing"]),
    ("孙师傅", ["driving", "escort"]),
]

PARTNERS = [
    ("阳光家政服务中心", "吴经理", "010 6600 1234", ["home-assistant", "clean-home", "laundry"]),
    ("区老年大学", "郑老师", "010 6600 5678", ["senior-uni"]),
]

ROLE_LOGINS = [
    ("frontdesk", "front_desk"),
    ("dispatcher", "dispatcher"),
    ("lead", "dispatch_lead"),
    ("worker", "field_worker"),
    ("coordinator", "coordinator"),
    ("finance", "finance"),
    ("supervisor", "supervisor"),
]
DEMO_PASSWORD = "demo-pass-2026"
FEE_EXAMPLE = Decimal("30.00")
