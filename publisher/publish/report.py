"""What a publish did (or, for a dry run, would do), and why."""

from __future__ import annotations

from dataclasses import dataclass

from publisher.errors import VerifyError
from publisher.publish.history import PublishedEpisode
from publisher.publish.plan import Action, UploadPlan, format_bytes
from publisher.publish.verify import PUBLIC_URL_HINT, VerifyReport


@dataclass(frozen=True)
class PublishReport:
    """What a publish did (or, for a dry run, would do), and why."""

    location: str
    public_url: str
    dry_run: bool
    plan: UploadPlan
    uploaded: tuple[Action, ...]  # for a dry run: what would be uploaded
    deleted: tuple[Action, ...]  # for a dry run: what would be deleted
    kept: tuple[Action, ...]  # unchanged files, and stale media left in place
    bytes_uploaded: int
    seconds: float
    lock_note: str | None = None  # a lock taken over or broken; for a dry run, one held
    verification: VerifyReport | None = None
    removed: tuple[PublishedEpisode, ...] = ()  # episodes taken out of the feed (by GUID)

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.deleted)

    def summary(self) -> str:
        """One line for the producer."""
        if self.dry_run:
            text = f"dry run, nothing changed at {self.location}: {self.plan.summary()}"
            if self.removed:
                text += f"; would remove {len(self.removed)} published episode(s)"
            return text
        if not self.changed:
            text = f"nothing to publish: {len(self.kept)} files unchanged at {self.location}"
        else:
            text = (
                f"published to {self.location}: {len(self.uploaded)} uploaded "
                f"({format_bytes(self.bytes_uploaded)}), {len(self.deleted)} deleted, "
                f"{sum(1 for a in self.kept if a.status == 'unchanged')} unchanged"
            )
            stale = sum(1 for a in self.kept if a.status == "stale")
            if stale:
                text += f", {stale} stale files kept"
            if self.removed:
                text += f", {len(self.removed)} episode(s) removed from the feed"
            text += f" in {self.seconds:.1f} s"
        if self.verification is not None:
            text += f"; {self.verification.summary()}"
        return text


class PublishVerifyError(VerifyError):
    """The upload completed, but the show is not reachable as an app needs. Carries the
    report of the completed publish."""

    def __init__(self, report: PublishReport, verification: VerifyReport) -> None:
        super().__init__(
            f"the upload completed, but a podcast app could not reach the show: "
            f"{verification.summary()}",
            None,
            hint=verification.hint() if verification.failed_elsewhere else PUBLIC_URL_HINT,
        )
        self.report = report
        self.verification = verification
