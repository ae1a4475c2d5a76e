from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class PicklistKind(models.TextChoices):
    LEAD_SOURCE = "lead_source", _("Lead and deal sources")
    LEAD_STATUS = "lead_status", _("Lead statuses")
    LOST_REASON = "lost_reason", _("Lost reasons")


class StatusMeaning(models.TextChoices):
    """What a lead status means to Guanxi, whatever it is called."""

    NEW = "new", _("new")
    WORKING = "working", _("being worked")
    QUALIFIED = "qualified", _("qualified")
    DISQUALIFIED = "disqualified", _("disqualified")
    CONVERTED = "converted", _("converted")


class StageKind(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    CHAMPION = "champion", _("Champion")
    TECHNICAL = "technical", _("Technical evaluator")
    FINANCE = "finance", _("Finance")
    USER = "user", _("User")
    OTHER = "other", _("Other")


# kind: [(key, English label, Chinese label, status meaning)]
DEFAULT_PICKLISTS: dict[str, list[tuple[str, str, str, str]]] = {
    PicklistKind.LEAD_SOURCE: [
        ("web", "Web form", "网站表单", ""),
        ("import", "Import", "导入", ""),
        ("referral", "Referral", "推荐", ""),
        ("event", "Event", "展会", ""),
        ("advertising", "Advertising", "广告", ""),
        ("other", "Other", "其他", ""),
    ],
    PicklistKind.LEAD_STATUS: [
        ("new", "New", "新线索", StatusMeaning.NEW),
        ("contacted", "Contacted", "已联系", StatusMeaning.WORKING),
        ("qualified", "Qualified", "已确认", StatusMeaning.QUALIFIED),
        ("disqualified", "Disqualified", "无效", StatusMeaning.DISQUALIFIED),
        ("converted", "Converted", "已转化", StatusMeaning.CONVERTED),
    ],
    PicklistKind.LOST_REASON: [
        ("price", "Price too high", "价格过高", ""),
        ("competitor", "Chose a competitor", "选择了竞争对手", ""),
        ("no_budget", "No budget", "没有预算", ""),
        ("no_decision", "No decision", "未做决定", ""),
        ("timing", "Bad timing", "时机不对", ""),
        ("other", "Other", "其他", ""),
    ],
}

# Created in the installation's language (GUANXI_LANGUAGE) by ensure_defaults; renamed freely afterwards.
DEFAULT_PIPELINES = [
    (
        gettext_noop("New business"),
        True,
        [
            (gettext_noop("Qualification"), 10, StageKind.OPEN),
            (gettext_noop("Needs analysis"), 25, StageKind.OPEN),
            (gettext_noop("Proposal"), 50, StageKind.OPEN),
            (gettext_noop("Negotiation"), 75, StageKind.OPEN),
            (gettext_noop("Won"), 100, StageKind.WON),
            (gettext_noop("Lost"), 0, StageKind.LOST),
        ],
    ),
    (
        gettext_noop("Renewals"),
        False,
        [
            (gettext_noop("Upcoming"), 60, StageKind.OPEN),
            (gettext_noop("Quoted"), 80, StageKind.OPEN),
            (gettext_noop("Renewed"), 100, StageKind.WON),
            (gettext_noop("Churned"), 0, StageKind.LOST),
        ],
    ),
]
