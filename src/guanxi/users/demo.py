"""Demo people: two sales teams with a manager and representatives each, finance, service and a viewer."""

from __future__ import annotations

import os
from typing import Any

from guanxi.core.demodata import DemoContext

from .models import Role, Team, User

TEAMS = ["East China Sales 华东销售", "South China Sales 华南销售"]

PEOPLE = [
    # username, display name, e-mail, team index, role code, language
    ("wang.fang", "王芳", "wang.fang@guanxi-demo.cn", 0, "sales_manager", "zh-hans"),
    ("li.na", "李娜", "li.na@guanxi-demo.cn", 0, "sales_rep", "zh-hans"),
    ("zhang.wei", "张伟", "zhang.wei@guanxi-demo.cn", 0, "sales_rep", "zh-hans"),
    ("emily.chen", "Emily Chen", "emily.chen@guanxi-demo.cn", 0, "sales_rep", "en"),
    ("chen.jie", "陈杰", "chen.jie@guanxi-demo.cn", 1, "sales_manager", "zh-hans"),
    ("liu.yang", "刘洋", "liu.yang@guanxi-demo.cn", 1, "sales_rep", "zh-hans"),
    ("huang.li", "黄丽", "huang.li@guanxi-demo.cn", 1, "sales_rep", "zh-hans"),
    ("david.wong", "David Wong", "david.wong@guanxi-demo.cn", 1, "sales_rep", "en"),
    ("zhao.min", "赵敏", "zhao.min@guanxi-demo.cn", None, "finance", "zh-hans"),
    ("sun.qiang", "孙强", "sun.qiang@guanxi-demo.cn", None, "service_agent", "zh-hans"),
    ("zhou.jing", "周静", "zhou.jing@guanxi-demo.cn", None, "read_only", "zh-hans"),
]


def load(context: DemoContext) -> str:
    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
    roles = {role.code: role for role in Role.objects.exclude(code=None)}
    password = os.environ.get("GUANXI_DEMO_PASSWORD")
    created = 0
    for username, name, email, team_index, role_code, language in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name, email=email, language=language)
            user.team = teams[team_index] if team_index is not None else None
            user.role = roles.get(role_code)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            created += 1
        if role_code in ("sales_rep", "sales_manager"):
            context.users.append(user)
    admin: Any = context.admin
    if admin.team_id is None:
        admin.team = teams[0]
        admin.save(update_fields=["team"])
    context.teams = {"east": teams[0], "south": teams[1]}
    hint = "" if password else " (no passwords: set GUANXI_DEMO_PASSWORD, or set them under Settings → Users)"
    return f"{created} people in {len(teams)} teams{hint}"
