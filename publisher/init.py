"""``publisher init``: a new show folder that passes ``check`` from the first minute.

It writes a commented ``feed_config.yaml`` (every key with a one-line comment), ``episodes/``,
``show_notes/`` with an empty bibliography, a ``.gitignore`` for the build and cache folders,
and placeholder artwork meeting Apple's rules (C-03) that ``check`` reports until replaced.
The config is validated by the config stage itself before anything is written.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import artwork, config, layout, weburl
from publisher.config import yamldoc
from publisher.config.identity import is_public, is_public_https, podcast_guid
from publisher.episodes import EPISODES_DIR, NOTES_DIR
from publisher.errors import ConfigError, PublisherError, display_path

PREVIEW_URL = "http://127.0.0.1:8000/"
BIBLIOGRAPHY = f"{NOTES_DIR}/references.bib"
GITIGNORE = "_site/\npublic/\n.publisher/\n"


@dataclass(frozen=True)
class Answers:
    """What ``init`` asks for; empty strings take the defaults below."""

    title: str = "My podcast"
    author: str = ""  # default: the owner's name, else the title
    owner_name: str = ""  # default: the author, else the title
    owner_email: str = "producer@example.org"
    language: str = "en"
    category: str = "Society & Culture"
    public_url: str = ""  # the show's public https URL, if it has one yet


@dataclass(frozen=True)
class Created:
    """The new show: its folder, the files written, and its podcast:guid (None: previews)."""

    root: Path
    files: tuple[Path, ...]
    podcast_guid: str | None


def init(folder: Path, answers: Answers) -> Created:
    """Create a show in ``folder`` (created when missing). Raises ConfigError when the folder
    already holds a show or is inside one, or with every problem of the answers (nothing is
    written then)."""
    root = folder.resolve()
    for part in (config.CONFIG_NAME, NOTES_DIR, EPISODES_DIR):
        if (root / part).exists():
            raise _already_a_show(root, part)
    show = next((p for p in root.parents if (p / config.CONFIG_NAME).is_file()), None)
    if show is not None:
        raise ConfigError(
            f"{display_path(root)} is inside the show in {display_path(show)}; a show's folders "
            "hold its notes, audio and site, not another show",
            show / config.CONFIG_NAME,
            None,
            "start the new show in a folder of its own, outside this one: publisher init "
            "NEW-FOLDER",
        )
    public = answers.public_url.strip()
    if public and not public.endswith("/"):
        public += "/"
    if public and not weburl.is_http(public):
        raise ConfigError(
            f"--public-url {public!r} is not an absolute http(s) URL",
            None,
            None,
            "the address the feed will be read at, e.g. https://podcast.example.org/",
        )
    if public and weburl.scheme(public) == "http" and is_public(public):
        raise ConfigError(
            f"--public-url {public} is plain http:// on a public host [D-04]",
            None,
            None,
            "give its https:// address",
        )
    guid = podcast_guid(layout.feed_url(public)) if public and is_public_https(public) else None
    preview = public if public and not is_public(public) else PREVIEW_URL
    text = config_text(answers, preview, public if guid else "", guid)
    art = artwork.placeholder(answers.title)
    with tempfile.TemporaryDirectory() as staging:  # the real loader judges the answers
        (Path(staging) / config.CONFIG_NAME).write_text(text, encoding="utf-8")
        (Path(staging) / "artwork.jpg").write_bytes(art)
        try:
            config.load(Path(staging))
        except PublisherError as e:
            raise _for_answers(e) from None
    root.mkdir(parents=True, exist_ok=True)
    written = [root / config.CONFIG_NAME, root / "artwork.jpg", root / BIBLIOGRAPHY]
    (root / EPISODES_DIR).mkdir()
    (root / NOTES_DIR).mkdir()
    written[0].write_text(text, encoding="utf-8")
    written[1].write_bytes(art)
    written[2].write_text("", encoding="utf-8")
    if not (root / ".gitignore").exists():
        (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        written.append(root / ".gitignore")
    return Created(root, tuple(written), guid)


def _for_answers(e: PublisherError) -> PublisherError:
    """A problem found in the staged config, said about the answer that caused it."""
    problems = getattr(e, "problems", (e,))
    text = "; ".join(p.message for p in problems)
    return ConfigError(f"cannot start a show with these answers: {text}", None, None, e.hint)


def _already_a_show(root: Path, part: str) -> ConfigError:
    """The refusal of a folder holding a show, or its notes or audio, and what to do instead:
    work on the show that is there, or start another in a new folder (not this one again)."""
    if part == config.CONFIG_NAME:
        where = display_path(root)
        cd = "" if where == "." else f"cd {where} && "
        return ConfigError(
            "a show is already here; init never touches one",
            root / part,
            None,
            f"to work on it: {cd}publisher check, then publisher build or publish; to start "
            "another show: publisher init NEW-FOLDER",
        )
    return ConfigError(
        "no feed_config.yaml, but the show's notes or audio are already here; init never "
        "touches them",
        root / part,
        None,
        f"start the show in a new folder with publisher init NEW-FOLDER, then move {NOTES_DIR}/ "
        f"and {EPISODES_DIR}/ into it",
    )


def config_text(answers: Answers, preview_url: str, public_url: str, guid: str | None) -> str:
    """The commented feed_config.yaml for ``answers``: every key with a one-line comment."""
    title = answers.title.strip() or "My podcast"
    owner = answers.owner_name.strip() or answers.author.strip() or title
    author = answers.author.strip() or owner

    def q(value: str) -> str:
        return yamldoc.dump_scalar(value)

    production = public_url or "https://podcast.example.org/"
    lines = [
        f"# {title}: every key is explained in README.md (feed_config.yaml).",
        f"title: {q(title)}  # the show's name only, no tagline (C-01)",
        f"description: {q(title + ': a new podcast.')}  # plain text, at most 4000 bytes (C-02)",
        f"author: {q(author)}  # itunes:author, shown under the title in apps",
        "owner:  # directories verify ownership with this email (C-09)",
        f"  name: {q(owner)}",
        f"  email: {q(answers.owner_email.strip() or 'producer@example.org')}",
        f"language: {q(answers.language.strip() or 'en')}  # ISO 639 code, e.g. en or en-us (C-04)",
        "categories:  # Apple categories, exact spelling: 'Parent' or 'Parent > Sub' (C-05)",
        f"  - {q(answers.category.strip() or 'Society & Culture')}",
        "explicit: false  # true when episodes may contain explicit content",
        "artwork: artwork.jpg  # square 1400-3000 px RGB JPEG or PNG; replace the placeholder",
        "timezone: UTC  # IANA zone for note dates without one, e.g. Europe/London",
        "type: episodic  # episodic, or serial (then every note needs 'episode:')",
        f"copyright: {q('© ' + author)}  # the <copyright> line",
        "locked: false  # podcast:locked: true stops other hosts importing the feed",
        f"bibliography: {BIBLIOGRAPHY}  # BibTeX, CSL-JSON or CSL-YAML; cite as [@key]",
        "citation_style: american-medical-association  # a CSL style name or a .csl file",
        "references_title: References  # heading of each note's reference list",
        "# persons: [Your Name]  # hosts -> podcast:person (names or {name, role, href})",
        "# funding: {url: https://example.org/support, label: Support the show}",
        "# websub_hub: https://pubsubhubbub.appspot.com/  # told at once of every new feed",
        "# podcast_index_notify: https://api.podcastindex.org/api/1.0/hub/pubnotify"
        "  # Podcast Index's publish-notify",
        "# new_feed_url: only once the show moves: the feed's new address (D-08)",
        "# imported_from: the old feed's URL; 'publisher import' writes it",
        "# enclosure_prefix: https://op3.dev/e/  # a measurement redirect before each enclosure",
        "# subscribe: {apple_podcasts: https://…}  # 'Subscribe in …' buttons on the website",
        "episodes_per_page: 20  # episodes on each 'All episodes' page of the website",
        "# feed: {full_notes: 20, max_items: 500}  # full notes of the newest; archive feeds",
        '# accent_color: {light: "#0b57b0", dark: "#8ab8ff"}  # the website\'s link colour',
        *(
            [f"podcast_guid: {guid}  # podcast:guid of {layout.feed_url(public_url)}; keep it"]
            if guid
            else []
        ),
        "default_target: preview  # the target publish uses without --to",
        "targets:  # where the show is published: a location and the public URL it is read at",
        "  preview:  # a local folder; 'publisher serve' serves it on loopback",
        "    location: public/",
        f"    public_url: {preview_url}",
        "  # production:  # your public host (credentials come from the AWS chain, never here)",
        "  #   location: s3://YOUR-BUCKET/show",
        f"  #   public_url: {production}",
        "  #   production: true  # the show's identity (podcast:guid) comes from this URL",
    ]  # the targets last: a target added at the end of the file is still one of them
    return "\n".join(lines) + "\n"


def as_json(created: Created) -> dict[str, Any]:
    """The JSON fields ``init --format json`` adds."""
    return {
        "root": str(created.root),
        "files": [str(p) for p in created.files],
        "podcast_guid": created.podcast_guid,
    }
