"""``publisher init``: a show folder that passes check, never touching an existing show."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from publisher import artwork, config, init
from publisher.errors import ConfigError
from tests.support.cli import run
from tests.support.paths import ROOT


def test_init_writes_a_commented_show_that_loads(tmp_path: Path) -> None:
    created = init.init(
        tmp_path / "show",
        init.Answers(
            title="Night Shift Science",
            author="Ana Lee",
            owner_email="ana@example.org",
            language="en-gb",
            category="Science > Life Sciences",
            public_url="https://podcast.example.org/night",
        ),
    )
    root = tmp_path / "show"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        ".gitignore",
        "artwork.jpg",
        "episodes",
        "feed_config.yaml",
        "show_notes",
        "show_notes/references.bib",
    ]
    assert (root / ".gitignore").read_text() == "_site/\npublic/\n.publisher/\n"
    assert (root / "show_notes" / "references.bib").read_text() == ""
    text = (root / "feed_config.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():  # every key with a one-line comment
        if not line.startswith(("#", " ", "-")) and line.strip():
            assert "  # " in line, line
    for key in config.CONFIG.names:  # every key is there, written or as a commented example
        assert f"{key}:" in text, key
    show = config.load(root)
    assert show.title == "Night Shift Science" and show.author == "Ana Lee"
    assert show.owner.name == "Ana Lee" and show.language == "en-gb"
    assert (show.categories[0].name, show.categories[0].subcategory) == ("Science", "Life Sciences")
    assert show.default_target == "preview"
    assert show.target().public_url == "http://127.0.0.1:8000/"
    expected = config.podcast_guid("https://podcast.example.org/night/feed.xml")
    assert created.podcast_guid == show.podcast_guid == expected
    assert "#   public_url: https://podcast.example.org/night/" in text
    assert yaml.safe_load(text)["targets"] == {
        "preview": {"location": "public/", "public_url": "http://127.0.0.1:8000/"}
    }


def test_placeholder_artwork_meets_apples_rules_and_is_recognised(tmp_path: Path) -> None:
    init.init(tmp_path / "s", init.Answers(title="A show"))
    data = (tmp_path / "s" / "artwork.jpg").read_bytes()
    assert artwork.problems(data, "jpg") == []  # square, 1400-3000 px, RGB JPEG
    assert artwork.is_placeholder(data)
    renamed = tmp_path / "s" / "cover.jpg"  # detected by its content, not its name
    renamed.write_bytes(data)
    assert artwork.is_placeholder(renamed.read_bytes())
    assert not artwork.is_placeholder((ROOT / "artwork.jpg").read_bytes())
    assert artwork.placeholder("A show") == data  # deterministic
    assert artwork.placeholder("Another show") != data  # the title is drawn on it


def test_loopback_public_url_gives_a_preview_without_identity(tmp_path: Path) -> None:
    created = init.init(tmp_path / "s", init.Answers(public_url="http://127.0.0.1:8123/"))
    assert created.podcast_guid is None
    show = config.load(tmp_path / "s")
    assert show.podcast_guid is None and show.target().public_url == "http://127.0.0.1:8123/"
    assert config.feed_guid(show) is None


PARTS_HERE = (
    "no feed_config.yaml, but the show's notes or audio are already here; init never touches "
    "them (start the show in a new folder with publisher init NEW-FOLDER, then move "
    "show_notes/ and episodes/ into it)"
)


def test_init_refuses_a_folder_that_holds_a_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for part, said in [
        ("feed_config.yaml", "a show is already here; init never touches one (to work on it: "
         "cd feed_config_yaml && publisher check, then publisher build or publish; to start "
         "another show: publisher init NEW-FOLDER)"),
        ("show_notes", PARTS_HERE),
        ("episodes", PARTS_HERE),
    ]:  # fmt: skip
        folder = tmp_path / part.replace(".", "_")
        (folder / part).parent.mkdir(parents=True, exist_ok=True)
        if "." in part:
            (folder / part).write_text("title: mine\n")
        else:
            (folder / part).mkdir()
        before = sorted(folder.rglob("*"))
        with pytest.raises(ConfigError) as info:
            init.init(folder, init.Answers())
        assert (info.value.path, f"{info.value.message} ({info.value.hint})") == (
            folder / part,
            said,
        )
        assert sorted(folder.rglob("*")) == before


def test_init_again_suggests_working_on_the_show_not_the_same_command(tmp_path: Path) -> None:
    assert run("init", "s", cwd=tmp_path).returncode == 0
    again = run("init", "s", "--title", "Other", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "s/feed_config.yaml: a show is already here; init never touches one (to work on it: "
        "cd s && publisher check, then publisher build or publish; to start another show: "
        "publisher init NEW-FOLDER)"
    )
    inside = run("init", cwd=tmp_path / "s")
    assert inside.stderr.strip().startswith("feed_config.yaml: a show is already here;")
    assert "(to work on it: publisher check, then" in inside.stderr


@pytest.mark.parametrize("inside", ["show_notes", "episodes", "episodes/more", "notes"])
def test_init_refuses_a_folder_inside_a_show(tmp_path: Path, inside: str) -> None:
    assert run("init", "s", cwd=tmp_path).returncode == 0
    before = sorted((tmp_path / "s").rglob("*"))
    nested = run("init", f"s/{inside}", "--title", "Other", cwd=tmp_path)
    assert nested.returncode == 1
    assert nested.stderr.strip() == (
        f"s/feed_config.yaml: s/{inside} is inside the show in s; a show's folders hold its "
        "notes, audio and site, not another show (start the new show in a folder of its own, "
        "outside this one: publisher init NEW-FOLDER)"
    )
    assert sorted((tmp_path / "s").rglob("*")) == before


def test_a_target_added_at_the_end_of_the_config_is_a_target(tmp_path: Path) -> None:
    """The targets come last: a producer appends one there (podcast_guid sits above)."""
    init.init(tmp_path / "s", init.Answers(public_url="https://podcast.example.org/"))
    path = tmp_path / "s" / "feed_config.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.index("podcast_guid:") < text.index("targets:")
    text += "  production:\n    location: s3://bucket/show\n    public_url: https://podcast.example.org/\n"
    path.write_text(text, encoding="utf-8")
    show = config.load(tmp_path / "s")
    assert show.target("production").location == "s3://bucket/show"
    assert show.podcast_guid == config.podcast_guid("https://podcast.example.org/feed.xml")


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        (init.Answers(category="Podcasting"), "unknown Apple category 'Podcasting'"),
        (init.Answers(language="English"), "'language' 'English' is not an ISO 639 code"),
        (init.Answers(owner_email="me"), "'owner.email' 'me' is not a valid email address"),
        (init.Answers(public_url="http://podcast.example.org/"), "plain http://"),
        (init.Answers(public_url="podcast.example.org"), "is not an absolute http(s) URL"),
    ],
)
def test_bad_answers_write_nothing(tmp_path: Path, answers: init.Answers, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        init.init(tmp_path / "s", answers)
    assert words in str(info.value)
    assert not (tmp_path / "s").exists()


def test_a_new_show_passes_check_with_warnings_and_build_refuses(tmp_path: Path) -> None:
    assert run("init", "s", "--title", "Quiet", cwd=tmp_path).returncode == 0
    check = run("check", cwd=tmp_path / "s")
    assert check.returncode == 0, check.stderr
    lines = check.stderr.splitlines()
    assert any("artwork.jpg' is the placeholder 'publisher init' made" in x for x in lines)
    assert any("warning: no published episodes yet" in x and "[I-16]" in x for x in lines)
    assert sum("carry no podcast:guid" in x for x in lines) == 1
    for command in ("build", "publish"):
        r = run(command, cwd=tmp_path / "s")
        assert r.returncode == 1 and "a feed needs at least one [I-16]" in r.stderr


def test_init_never_prompts_without_a_terminal(tmp_path: Path) -> None:
    r = run("init", "s", cwd=tmp_path)  # stdin is not a terminal: defaults, no question
    assert r.returncode == 0, r.stderr
    assert "?" not in r.stdout and "[" not in r.stdout
    assert config.load(tmp_path / "s").title == "My podcast"


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    main, child = os.openpty()
    answers = "Tea Time\n\nme@example.org\n\nArts > Food\n\n"
    os.write(main, answers.encode())
    env = {**os.environ}
    env.pop("CI", None)
    proc = subprocess.run(
        [sys.executable, "-m", "publisher", "init", "s", "--author", "Kim"],
        cwd=tmp_path,
        stdin=child,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    os.close(child)
    os.close(main)
    assert proc.returncode == 0, proc.stderr
    assert "Show title [My podcast]: " in proc.stdout
    assert "Author" not in proc.stdout  # given as a flag: not asked
    show = config.load(tmp_path / "s")
    assert (show.title, show.author, show.owner.email) == ("Tea Time", "Kim", "me@example.org")
    assert show.categories[0].name == "Arts" and show.categories[0].subcategory == "Food"


def test_new_names_the_configured_bibliography(tmp_path: Path) -> None:
    assert run("init", "s", cwd=tmp_path).returncode == 0
    cfg = tmp_path / "s" / "feed_config.yaml"
    cfg.write_text(
        cfg.read_text().replace(
            "bibliography: show_notes/references.bib", "bibliography: refs/a.json"
        )
    )
    (tmp_path / "s" / "refs").mkdir()
    (tmp_path / "s" / "refs" / "a.json").write_text("[]")
    r = run("new", "Hello", "--slug", "hello", cwd=tmp_path / "s")
    assert r.returncode == 0, r.stderr
    body = (tmp_path / "s" / "show_notes" / "hello.md").read_text()
    assert "in the bibliography (refs/a.json)" in body and "references.bib" not in body
