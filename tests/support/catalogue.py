"""A long back catalogue, made up: bibliography, notes with citations, and ready-made feed items.

Shared by the feed tests (items built directly, fast) and by bench/ (a show folder on disk).
The notes are rendered by the real renderer; items reuse a handful of renderings so a
10,000-episode catalogue costs a few renders, not 10,000.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from publisher import config
from publisher.episodes import body_digest
from publisher.model import (
    AudioInfo,
    Episode,
    Item,
    ItemLinks,
    RenderedNotes,
    Show,
    ShowLinks,
)
from publisher.notes import load_bibliography, load_style, render_notes
from tests.support.paths import ROOT

BASE = "https://podcast.example.org/show/"
START = dt.datetime(2000, 1, 3, 6, 0, tzinfo=dt.UTC)  # a Monday; one episode a week from here
WORDS = tuple(
    [
        "evidence",
        "pain",
        "imaging",
        "guideline",
        "trial",
        "cohort",
        "outcome",
        "placebo",
        "exercise",
        "back",
        "disc",
        "spine",
        "nerve",
        "rest",
        "activity",
        "review",
        "bias",
        "sample",
        "effect",
        "confidence",
        "interval",
        "risk",
        "benefit",
        "harm",
    ]
)


def bibliography_bib(entries: int = 500) -> str:
    """``entries`` BibTeX articles keyed ``ref0``..``refN`` (Crossref's test DOI prefix)."""
    return "\n".join(
        f"@article{{ref{i},\n  author = {{Doe, Jane and Roe, Richard and Poe, Pat}},\n"
        f"  title = {{Synthetic article {i} on {WORDS[i % len(WORDS)]} and "
        f"{WORDS[(i * 7) % len(WORDS)]}}},\n"
        f"  journal = {{J Bench}}, year = {{{1990 + i % 35}}}, volume = {{{i % 60 + 1}}},\n"
        f"  number = {{{i % 12 + 1}}}, pages = {{{i}--{i + 9}}}, doi = {{10.5555/bench.{i}}}\n}}\n"
        for i in range(entries)
    )


def note_body(i: int, *, entries: int = 500, citations: int = 10, size: int = 5000) -> str:
    """About ``size`` bytes of Markdown citing ``citations`` distinct keys of the bibliography."""
    keys = [f"ref{(i * 37 + k * 53) % entries}" for k in range(citations)]
    paragraphs = [f"## Episode {i}: what the studies say\n"]
    k = 0
    while sum(len(p) for p in paragraphs) < size - 200:
        words = " ".join(WORDS[(i + k * 3 + j) % len(WORDS)] for j in range(40))
        cite = f"[@{keys[k % citations]}]" if k < citations * 2 else ""
        paragraphs.append(f"Paragraph {k}: the {words}.{cite}\n")
        k += 1
    return "\n".join(paragraphs)


def summary(i: int) -> str:
    """A summary paragraph of about 400 characters, as producers write for the feed."""
    return (
        f"Episode {i}: what the studies say about backs. We read the trials and the cohort "
        "studies behind a common claim, say how large the effects are and how sure we can be, "
        "and what that means for someone deciding whether to get a scan, rest or keep moving. "
        "The full notes list every reference, with links to the papers where they are free."
    )


def sample_show() -> Show:
    """The sample show's config (its title, owner, categories...), read from the repository."""
    return config.load(ROOT)


def show_links(base: str = BASE) -> ShowLinks:
    return ShowLinks(
        base + "index.html", base + "feed.xml", base + "artwork/a.jpg", "artwork/a.jpg"
    )


def rendered_notes(folder: Path, kinds: int = 8) -> tuple[RenderedNotes, ...]:
    """``kinds`` distinct real renderings of catalogue notes (``folder`` holds the .bib)."""
    bib_path = folder / "references.bib"
    bib_path.write_text(bibliography_bib(), encoding="utf-8")
    bib = load_bibliography([bib_path])
    style = load_style("american-medical-association", base_dir=folder)
    return tuple(
        render_notes(
            note_body(i),
            source=folder / f"note{i}.md",
            first_line=1,
            bibliography=bib,
            style=style,
            page_url=f"{BASE}episodes/ep{i}.html",
            summary=summary(i),
        )
        for i in range(kinds)
    )


def catalogue_items(
    count: int, renderings: tuple[RenderedNotes, ...], *, base: str = BASE
) -> tuple[Item, ...]:
    """``count`` weekly episodes, newest first, each with its own GUID, page and media URL."""
    items = []
    for i in range(count):
        slug = f"ep-{i:05d}"
        source = Path("show_notes") / f"{slug}.md"
        audio = AudioInfo(Path("episodes") / f"{slug}.mp3", 1_000_000 + i, "audio/mpeg", "mp3",
                          1800.0 + i % 600)  # fmt: skip
        episode = Episode(
            slug=slug,
            source=source,
            audio=audio,
            title=f"What the studies say, part {i + 1}",
            date=START + dt.timedelta(weeks=i),
            guid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}{slug}")),
            body_sha256=body_digest(""),
            body_line=5,
        )
        links = ItemLinks(
            f"episodes/{slug}.html",
            f"{base}episodes/{slug}.html",
            f"media/{slug}.mp3",
            f"{base}media/{slug}.mp3",
            chapters_url=f"{base}chapters/{slug}.json" if i % 5 == 0 else None,
        )
        items.append(Item(episode, renderings[i % len(renderings)], links))
    return tuple(reversed(items))
