"""``publisher publish`` with a removed episode: --dry-run names it, publish refuses without
--allow-removal, and stale files wait for --stale-grace / stale_grace_hours or go at once
with --delete-stale-now (issue 13 items 2 and 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.show import copy_show, media_key

SLUG = "2026-09-15-red-flags"
TITLE = "Red flags: what they can and cannot tell you"
GUID = "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12"


def publisher(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUBLISHER_NOW": "2026-11-25T12:00:00+00:00"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def draft(show: Path) -> None:
    note = show / "show_notes" / f"{SLUG}.md"
    note.write_text(note.read_text(encoding="utf-8").replace("\ndate:", "\ndraft: true\ndate:"))


def test_removal_is_named_refused_then_allowed_and_stale_files_wait(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    assert publisher("publish", cwd=show).returncode == 0
    public = show / "public"
    media = media_key(show, SLUG)
    draft(show)
    dry = publisher("publish", "--dry-run", cwd=show)
    assert dry.returncode == 0, dry.stderr
    assert (
        f"  remove  episode '{TITLE}' (guid {GUID})  (would be refused without --allow-removal)"
    ) in dry.stdout.splitlines()
    refused = publisher("publish", cwd=show)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: {public}: publishing would remove 1 published episode(s) from the feed and "
        f"from every subscriber's app: '{TITLE}' (guid {GUID}); nothing was written (to remove "
        "them, publish again with --allow-removal; to keep them, restore the note (draft: "
        "false, its guid unchanged))"
    )
    assert SLUG in (public / "feed.xml").read_text(encoding="utf-8")

    done = publisher("publish", "--allow-removal", "--format", "json", cwd=show)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["removed"] == [{"guid": GUID, "title": TITLE}]
    assert result["deleted"] == []
    assert SLUG not in (public / "feed.xml").read_text(encoding="utf-8")
    assert (public / "episodes" / f"{SLUG}.html").exists() and (public / media).exists()

    waiting = publisher("publish", "--stale-grace", "48", "-v", cwd=show)
    assert waiting.returncode == 0, waiting.stderr
    assert f"  keep    episodes/{SLUG}.html  (stale: stale since " in waiting.stdout
    bad = publisher("publish", "--stale-grace", "-1", cwd=show)
    assert bad.returncode == 2 and "expected a number of hours, 0 or more" in bad.stderr

    config = show / "feed_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("    location: public/\n", "    location: public/\n    stale_grace_hours: 0\n")
    )
    gone = publisher("publish", cwd=show)
    assert gone.returncode == 0, gone.stderr
    assert f"  deleted episodes/{SLUG}.html  (no longer built; stale for over 0 hours" in (
        gone.stdout
    )
    assert (public / media).exists()  # media only with --prune-media
    pruned = publisher("publish", "--prune-media", "--delete-stale-now", cwd=show)
    assert pruned.returncode == 0, pruned.stderr
    assert not (public / media).exists()


def test_stale_grace_hours_must_be_a_number(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    config = show / "feed_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "    location: public/\n", "    location: public/\n    stale_grace_hours: soon\n"
        )
    )
    r = publisher("check", cwd=show)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "stale_grace_hours must be a number of hours, 0 or more" in r.stderr
