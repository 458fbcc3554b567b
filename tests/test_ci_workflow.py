"""docs/ci/publish.yml: every ``run:`` step of both jobs, run as GitHub would run it, against
the sample show's local target (the package installed from a wheel of this checkout)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import ROOT
from tests.support.show import FIXED_NOW, copy_show
from tests.support.wheel import make_wheel

WORKFLOW = ROOT / "docs" / "ci" / "publish.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def expand(value: str, context: dict[str, str]) -> str:
    """GitHub's ``${{ a || 'default' }}`` expressions, for the names this workflow uses."""

    def one(m: re.Match[str]) -> str:
        name, _, default = m.group(1).partition("||")
        return context.get(name.strip(), "") or default.strip().strip("'")

    return _EXPRESSION.sub(one, value)


def steps(job: str, context: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    spec = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    out = []
    for step in spec["jobs"][job]["steps"]:
        if "run" in step:
            env = {k: expand(str(v), context) for k, v in (step.get("env") or {}).items()}
            out.append((step["run"], env))
    return out


def test_the_workflow_triggers() -> None:
    spec = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    on = spec[True]  # YAML 1.1 reads the key `on` as true
    assert on["push"] == {"branches": ["main"]} and "pull_request" in on
    assert on["schedule"][0]["cron"]
    assert spec["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    assert spec["jobs"]["publish"]["if"] == "github.event_name != 'pull_request'"
    publish_env = spec["jobs"]["publish"]["steps"][3]["env"]
    assert publish_env["AWS_SECRET_ACCESS_KEY"] == "${{ secrets.AWS_SECRET_ACCESS_KEY }}"


def test_every_run_step_works_against_a_local_target(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"  # the runner's `python` (a script: the venv stays a venv)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    site = tmp_path / "site"
    context = {
        "vars.PUBLISHER_SPEC": str(make_wheel(tmp_path)),
        "vars.PUBLISHER_TARGET": "local",
        "secrets.AWS_ACCESS_KEY_ID": "",
        "secrets.AWS_SECRET_ACCESS_KEY": "",
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    base |= {
        "CI": "true",  # as on GitHub's runners
        "GITHUB_ACTIONS": "true",
        "PUBLISHER_NOW": FIXED_NOW.isoformat(),
        "PATH": f"{bin_dir}:{site / 'bin'}:{base['PATH']}",
        "PYTHONPATH": str(site),  # the installed copy, not this checkout
        "PIP_TARGET": str(site),  # a runner installs into its own Python; here, a folder
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",  # the dependencies are in this Python already
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    def run(job: str) -> list[subprocess.CompletedProcess[str]]:
        done = []
        for script, env in steps(job, context):
            r = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=show,
                env={**base, **env},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert r.returncode == 0, f"{script}\n{r.stdout}\n{r.stderr}"
            done.append(r)
        return done

    install, check = run("check")
    assert (site / "publisher" / "cli" / "commands.py").exists()
    assert json.loads(check.stdout)["ok"] is True
    install, publish, status = run("publish")
    assert (show / "public" / "feed.xml").exists()
    assert publish.stdout.startswith("published to ")
    assert status.stdout.count("published") == 3
    again = run("publish")[1]  # the hourly run with nothing due: nothing to do
    assert again.stdout.startswith("nothing to publish")
