"""docs/ci/publish.yml, the GitHub Actions workflow a show copies: its triggers and secrets, and
every one of its ``run:`` steps executed as the runner would, in a copy of this repository.

The steps run under ``bash -eo pipefail`` (GitHub's default shell) with ``CI=true`` and the
workflow's own environment, its ``${{ … }}`` expressions evaluated with no repository
variables set and stand-in secrets. The show's production target is swapped for a local folder.
The install step really runs ``python -m pip install "$PUBLISHER_SOURCE"``: ``python`` there is
a throwaway virtual environment that sees the test's packages (so nothing else is fetched but
the build backend), and the ``publisher`` command of the later steps is the one it installed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import ROOT
from tests.support.show import FIXED_NOW, copy_show

WORKFLOW = ROOT / "docs" / "ci" / "publish.yml"
# What a checkout of this repository holds that the install and the show need.
TOOL_PARTS = ("pyproject.toml", "README.md", "publisher")
SECRETS = {"AWS_ACCESS_KEY_ID": "test-key-id", "AWS_SECRET_ACCESS_KEY": "test-secret"}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SCHEDULED_SLUG = "2026-11-25-sleep-and-back-pain"
SCHEDULED_GUID = "d2c1f0e9-3b4a-4c5d-8e6f-7a8b9c0d1e2f"


def load_workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean true
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return found


def evaluate(expression: str, event: str) -> str | bool:
    """The few expressions the workflow may use, as GitHub evaluates them: ``secrets.X``,
    ``vars.X`` (none are set here), ``github.event_name``, ``== / != 'literal'`` and
    ``a || 'default'``. Anything else fails the test, so the workflow stays testable."""
    if "||" in expression:
        left, right = (part.strip() for part in expression.split("||", 1))
        return evaluate(left, event) or evaluate(right, event)
    for op in ("==", "!="):
        if op in expression:
            left, right = (part.strip() for part in expression.split(op, 1))
            equal = evaluate(left, event) == evaluate(right, event)
            return equal if op == "==" else not equal
    if m := re.fullmatch(r"'([^']*)'", expression):
        return m.group(1)
    if m := re.fullmatch(r"secrets\.(\w+)", expression):
        return SECRETS.get(m.group(1), "")
    if re.fullmatch(r"vars\.\w+", expression):
        return ""
    if expression == "github.event_name":
        return event
    raise AssertionError(f"the test cannot evaluate ${{{{ {expression} }}}}")


def substitute(value: Any, event: str) -> str:
    text = str(value)
    whole = EXPRESSION.fullmatch(text)
    if whole:
        return str(evaluate(whole.group(1), event))
    return EXPRESSION.sub(lambda m: str(evaluate(m.group(1), event)), text)


def job_runs(job: dict[str, Any], event: str) -> bool:
    condition = job.get("if")
    if condition is None:
        return True
    inner = EXPRESSION.fullmatch(str(condition))
    return bool(evaluate(inner.group(1) if inner else str(condition), event))


@dataclass
class Workspace:
    """A checkout of the repository on a runner: the tool, the sample show, and a PATH whose
    ``python`` is a fresh virtual environment."""

    root: Path
    published: Path
    venv_bin: Path
    path: str


def make_venv(folder: Path) -> Path:
    """A virtual environment without pip of its own that sees this interpreter's packages
    (pip, the dependencies and the build's) through a .pth file; installs go into it alone."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)})
    ours = [p for p in (*site.getsitepackages(), site.getusersitepackages()) if Path(p).is_dir()]
    (Path(purelib) / "outer.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return folder / "bin"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    base = tmp_path_factory.mktemp("runner")
    root = copy_show(base / "checkout")
    for part in TOOL_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / part)
    published = base / "published"
    config_path = root / "feed_config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["targets"] = {
        "production": {"location": str(published), "public_url": "https://podcast.example.org/"}
    }
    config["default_target"] = "production"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    # an episode dated after "now": the hourly schedule releases it once it is due
    shutil.copy2(
        root / "episodes/2026-10-01-what-guidelines-advise.mp3",
        root / f"episodes/{SCHEDULED_SLUG}.mp3",
    )
    (root / f"show_notes/{SCHEDULED_SLUG}.md").write_text(
        "---\ntitle: Sleep and back pain\ndate: 2026-11-25 16:00\n"
        f"guid: {SCHEDULED_GUID}\n---\n\nWhat the trials of sleep advice found.\n",
        encoding="utf-8",
    )
    venv_bin = make_venv(base / "venv")
    path = os.pathsep.join([str(venv_bin), os.environ.get("PATH", os.defpath)])
    return Workspace(root, published, venv_bin, path)


def run_step(
    ws: Workspace, workflow: dict[Any, Any], job: dict[str, Any], step: dict[str, Any], **env: str
) -> subprocess.CompletedProcess[str]:
    """One ``run:`` step as the runner runs it, with the workflow's, job's and step's env."""
    event = env.pop("EVENT")
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    full.update(CI="true", GITHUB_ACTIONS="true", GITHUB_EVENT_NAME=event, PATH=ws.path)
    full.update(HOME=os.environ.get("HOME", str(ws.root.parent)))
    for scope in (workflow, job, step):
        full.update({k: substitute(v, event) for k, v in (scope.get("env") or {}).items()})
    full.update(env)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=ws.root,
        env=full,
        capture_output=True,
        text=True,
        timeout=600,
    )


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if "run" in s]


def now(when: dt.datetime) -> dict[str, str]:
    return {"PUBLISHER_NOW": when.isoformat()}


def feed_guids(ws: Workspace) -> list[str]:
    feed = (ws.published / "feed.xml").read_text(encoding="utf-8")
    return re.findall(r"<guid isPermaLink=\"false\">([^<]+)</guid>", feed)


def test_triggers_push_to_main_a_schedule_and_pull_requests() -> None:
    on = triggers(load_workflow())
    assert on["push"]["branches"] == ["main"]
    (schedule,) = on["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert minute.isdigit() and hour == "*"  # hourly: a scheduled episode waits < 1 hour
    assert "pull_request" in on


def test_credentials_come_from_the_repository_secrets() -> None:
    publish = load_workflow()["jobs"]["publish"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert publish["env"][name] == f"${{{{ secrets.{name} }}}}"


def test_run_steps_hold_no_expressions() -> None:
    # ${{ }} inside a script is pasted in before bash reads it (script injection); values
    # reach the scripts only as environment variables
    for name, job in load_workflow()["jobs"].items():
        for step in steps_of(job):
            assert "${{" not in step["run"], (name, step["run"])


@pytest.mark.parametrize(
    ("event", "jobs"),
    [("pull_request", ["check"]), ("push", ["publish"]), ("schedule", ["publish"])],
)
def test_which_job_runs_on_which_event(event: str, jobs: list[str]) -> None:
    workflow = load_workflow()
    assert [n for n, j in workflow["jobs"].items() if job_runs(j, event)] == jobs


def test_every_run_step_succeeds_against_a_local_target(workspace: Workspace) -> None:
    ws, workflow = workspace, load_workflow()
    check, publish = workflow["jobs"]["check"], workflow["jobs"]["publish"]
    install, check_step = steps_of(check)
    assert install["run"] == steps_of(publish)[0]["run"]  # both jobs install the same way

    # a pull request: install the tool from the checkout, then check the show
    done = run_step(ws, workflow, check, install, EVENT="pull_request", **now(FIXED_NOW))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (ws.venv_bin / "publisher").is_file()  # pip installed it into the runner's python
    assert shutil.which("publisher", path=ws.path) == str(ws.venv_bin / "publisher")
    where = run_step(
        ws,
        workflow,
        check,
        {
            "run": "python -P -c 'import publisher; print(publisher.__file__)'"
        },  # as the command imports it,
        EVENT="pull_request",
    )
    assert Path(where.stdout.strip()).is_relative_to(ws.venv_bin.parent), (
        where.stdout + where.stderr
    )
    done = run_step(ws, workflow, check, check_step, EVENT="pull_request", **now(FIXED_NOW))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] is True

    # a push to main publishes what is due; the episode dated 16:00 is not yet
    for step in steps_of(publish):
        done = run_step(ws, workflow, publish, step, EVENT="push", **now(FIXED_NOW))
        assert done.returncode == 0, done.stdout + done.stderr
    assert len(feed_guids(ws)) == 3
    assert SCHEDULED_GUID not in feed_guids(ws)
    (publish_step,) = steps_of(publish)[1:]

    # the hourly run before it is due changes nothing in the target
    before = {p: p.stat().st_mtime_ns for p in ws.published.rglob("*") if p.is_file()}
    early = FIXED_NOW + dt.timedelta(hours=1)
    done = run_step(ws, workflow, publish, publish_step, EVENT="schedule", **now(early))
    assert done.returncode == 0, done.stdout + done.stderr
    after = {p: p.stat().st_mtime_ns for p in ws.published.rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if ".publisher" not in p.parts} == {
        p: t for p, t in before.items() if ".publisher" not in p.parts
    }

    # the first hourly run after 16:00 London time releases it
    due = dt.datetime(2026, 11, 25, 16, 17, tzinfo=dt.UTC)
    done = run_step(ws, workflow, publish, publish_step, EVENT="schedule", **now(due))
    assert done.returncode == 0, done.stdout + done.stderr
    assert feed_guids(ws)[0] == SCHEDULED_GUID
    assert (ws.published / f"media/{SCHEDULED_SLUG}.mp3").is_file()


def test_check_step_fails_a_pull_request_with_a_problem(workspace: Workspace) -> None:
    ws, workflow = workspace, load_workflow()
    check = workflow["jobs"]["check"]
    install, check_step = steps_of(check)
    if not (ws.venv_bin / "publisher").is_file():
        done = run_step(ws, workflow, check, install, EVENT="pull_request")
        assert done.returncode == 0, done.stdout + done.stderr
    broken = ws.root.parent / "broken"
    shutil.copytree(ws.root, broken)
    note = broken / "show_notes/2026-09-15-red-flags.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(re.sub(r"(?m)^guid: .*\n", "", text, count=1), encoding="utf-8")
    done = run_step(
        Workspace(broken, ws.published, ws.venv_bin, ws.path),
        workflow,
        check,
        check_step,
        EVENT="pull_request",
        **now(FIXED_NOW),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is False
    (problem,) = result["problems"]
    assert "no 'guid' in the front matter [I-04]" in problem["message"]
