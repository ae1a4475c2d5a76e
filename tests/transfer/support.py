"""Helpers of the import and export tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def import_file(actor: Any, name: str | Path, *, resume: bool = False, **options: Any) -> Any:
    """Create an import of a file (a name in tests/transfer/data or a path) and run it to the end."""
    from guanxi.transfer.engine import ImportRunner
    from guanxi.transfer.services import import_create

    runner_options = {
        k: options.pop(k) for k in ("workers", "batch_size", "crash_after_batches") if k in options
    }
    dry_run = options.pop("dry_run", False)
    path = Path(name) if Path(name).is_absolute() else DATA / name
    job = import_create(actor=actor, source=path, file_name=path.name, **options)
    job.dry_run = dry_run
    job.save()
    ImportRunner(job, **runner_options).run()
    job.refresh_from_db()
    return job


OWNERS = [
    ("li.na", "李娜", "li.na@guanxi-demo.cn"),
    ("wang.wei", "王伟", "wang.wei@guanxi-demo.cn"),
    ("sarah.lee", "Sarah Lee", "sarah.lee@guanxi-demo.com"),
]
# Salesforce and Zoho write user ids; an import maps them to users (here: a mapping file's users section).
SALESFORCE_USERS = {
    "0055g00000000000AAQ": "li.na",
    "0055g00000000001AAQ": "wang.wei",
    "0055g00000000002AAQ": "sarah.lee",
}


def vendor_world(team: Any = None) -> dict[str, Any]:
    """The people and pipelines the vendor sample exports refer to."""
    from guanxi.core.testing import make_user
    from guanxi.sales.choices import StageKind
    from guanxi.sales.models import Pipeline, Stage

    users = {u: make_user(u, display_name=n, email=e, team=team) for u, n, e in OWNERS}
    Pipeline.objects.update(is_default=False)
    chinese = Pipeline.objects.create(name="标准销售流程", order=9)
    Stage.objects.bulk_create(
        [
            Stage(pipeline=chinese, name=s, kind=k, order=i * 10)
            for i, (s, k) in enumerate(
                [
                    ("初步接洽", StageKind.OPEN),
                    ("需求确定", StageKind.OPEN),
                    ("方案/报价", StageKind.OPEN),
                    ("谈判审核", StageKind.OPEN),
                    ("赢单", StageKind.WON),
                    ("输单", StageKind.LOST),
                ]
            )
        ]
    )
    for order, name in enumerate(["Enterprise", "SMB", "International"]):
        pipeline = Pipeline.objects.create(name=name, is_default=order == 0, order=order)
        stages = [
            ("Prospecting", StageKind.OPEN),
            ("Qualification", StageKind.OPEN),
            ("Proposal", StageKind.OPEN),
            ("Negotiation", StageKind.OPEN),
            ("Won", StageKind.WON),
            ("Lost", StageKind.LOST),
        ]
        Stage.objects.bulk_create(
            [Stage(pipeline=pipeline, name=s, kind=k, order=i * 10) for i, (s, k) in enumerate(stages)]
        )
    return users


def salesforce_mapping(tmp_path: Any) -> Path:
    lines = ["users:"] + [f'  "{k}": {v}' for k, v in SALESFORCE_USERS.items()] + ["columns: {}"]
    path = Path(tmp_path) / "salesforce-users.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
