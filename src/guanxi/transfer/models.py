"""Import jobs (with their checkpoint, counters and row issues), export jobs, likely duplicates of stored
records and the merges made from them (kept so that a merge can be undone)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OBJECT_CHOICES = [
    ("companies", _("Companies")),
    ("contacts", _("Contacts")),
    ("leads", _("Leads")),
    ("deals", _("Deals")),
    ("activities", _("Activities")),
]
# The import object (plural, as on the command line) → the registry key of its records.
RECORD_TYPE = {
    "companies": "company",
    "contacts": "contact",
    "leads": "lead",
    "deals": "deal",
    "activities": "activity",
}


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("Skip it")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record anyway")


class ImportJob(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("import", "not started")
        CHECKING = "checking", _("dry run in progress")
        CHECKED = "checked", _("dry run done")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        REVERTING = "reverting", _("being undone")
        REVERTED = "reverted", _("undone")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    object_type = models.CharField(_("records"), max_length=20, choices=OBJECT_CHOICES)
    file_name = models.CharField(_("file"), max_length=255)
    file_path = models.CharField(max_length=500, blank=True)
    file_size = models.BigIntegerField(default=0)
    format = models.CharField(max_length=10, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list, blank=True)
    preset = models.CharField(_("exported by"), max_length=40, blank=True)
    system = models.CharField(
        _("source system"),
        max_length=40,
        blank=True,
        help_text=_(
            "Record ids of the file are kept under this name, so a later import finds the same records."
        ),
    )
    mapping = models.JSONField(default=dict, blank=True)
    user_map = models.JSONField(default=dict, blank=True)
    value_map = models.JSONField(default=dict, blank=True)
    on_duplicate = models.CharField(
        _("when a record already exists"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )
    dry_run = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0, help_text="checkpoint: the last row number committed")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(pgettext_lazy("count", "created"), default=0)
    updated = models.PositiveIntegerField(pgettext_lazy("count", "updated"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    failed = models.PositiveIntegerField(_("rejected"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    related_created = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    rows_at_resume = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    runner = models.CharField(max_length=32, blank=True, help_text="the run that holds the job")
    error = models.TextField(blank=True)
    check_report = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_object_type_display()})"

    @property
    def request_id(self) -> str:
        """The id the audit rows of the records this import wrote carry."""
        return f"import-{self.pk}"

    @property
    def revert_request_id(self) -> str:
        return f"import-{self.pk}-undo"

    @property
    def record_type(self) -> str:
        return RECORD_TYPE[self.object_type]

    @property
    def path(self) -> Path:
        return data_dir() / self.file_path

    @property
    def is_active(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.RUNNING,
            self.Status.CHECKING,
            self.Status.REVERTING,
        )

    @property
    def percent(self) -> int:
        if self.status in (self.Status.FINISHED, self.Status.CHECKED, self.Status.REVERTED):
            return 100  # the row count was an estimate (a quoted cell may span lines)
        if not self.total_rows:
            return 0
        return max(0, min(100, round(100 * self.rows_done / self.total_rows)))


class ImportIssue(models.Model):
    """A rejected row (level error: nothing of it was written) or a warning about a written row."""

    ERROR = "error"
    WARNING = "warning"
    LEVELS = [(ERROR, _("error")), (WARNING, _("warning"))]

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    message = models.TextField(_("reason"))
    level = models.CharField(max_length=10, choices=LEVELS, default=ERROR)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "level", "row"], name="importissue_job_level_row")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


class ExportJob(models.Model):
    """A large export (a spreadsheet of many rows) made in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    object_type = models.CharField(max_length=40)
    format = models.CharField(max_length=10)
    query = models.CharField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.format}"

    @property
    def path(self) -> Path:
        return data_dir() / self.file_path

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.FINISHED else 0
        return max(0, min(100, round(100 * self.rows_done / self.total_rows)))


class DuplicatePair(models.Model):
    """Two stored records that look like the same customer; found by a scan, reviewed by a person."""

    class Status(models.TextChoices):
        OPEN = "open", _("to review")
        DISMISSED = "dismissed", _("not duplicates")
        MERGED = "merged", _("merged")

    object_type = models.CharField(max_length=20)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField(_("score"))
    reason = models.CharField(_("why"), max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "first_id", "second_id"], name="duplicatepair_unique"
            )
        ]
        indexes = [models.Index(fields=["object_type", "status", "-score"], name="duplicatepair_review")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.first_id} ~ {self.second_id} ({self.score})"


class MergeRecord(models.Model):
    """What a merge changed, so that it can be undone: the survivor's fields before, the merged-away record
    as it was, and which related rows moved from it to the survivor."""

    object_type = models.CharField(max_length=20)
    survivor_id = models.BigIntegerField()
    merged_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    request_id = models.CharField(max_length=64, blank=True)
    survivor_before = models.JSONField(default=dict)
    survivor_after = models.JSONField(default=dict)
    merged_row = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    pair = models.ForeignKey(
        DuplicatePair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.object_type} {self.merged_id} → {self.survivor_id}"
