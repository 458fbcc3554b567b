"""Apple Podcasts categories (C-05): exact names, current list (not feedgen's pre-2019 table)."""

from __future__ import annotations

import difflib
import re
from typing import Any

from publisher.config.schema import Context, Mismatch
from publisher.model import Category

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip


# Apple's pre-2019 names and what replaced them (Apple Podcasts category change, 2019):
# producers copy them from old feeds and from feedgen's table.
RETIRED: dict[str, tuple[str, ...]] = {
    "Games & Hobbies": ("Leisure",),
    "Government & Organizations": ("Government",),
    "Health": ("Health & Fitness",),
    "News & Politics": ("News", "News > Politics"),
    "Science & Medicine": ("Science", "Health & Fitness > Medicine"),
    "Sports & Recreation": ("Sports",),
}
RETIRED_SUBS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Arts", "Literature"): ("Arts > Books",),
    ("Business", "Business News"): ("News > Business News",),
    ("Business", "Management & Marketing"): ("Business > Management", "Business > Marketing"),
    ("Business", "Shopping"): ("Business",),
    ("Education", "Educational Technology"): ("Education",),
    ("Education", "Higher Education"): ("Education",),
    ("Education", "K-12"): ("Education",),
    ("Education", "Language Courses"): ("Education > Language Learning",),
    ("Education", "Training"): ("Education > Courses",),
    ("Games & Hobbies", "Automotive"): ("Leisure > Automotive",),
    ("Games & Hobbies", "Aviation"): ("Leisure > Aviation",),
    ("Games & Hobbies", "Hobbies"): ("Leisure > Hobbies",),
    ("Games & Hobbies", "Other Games"): ("Leisure > Games",),
    ("Games & Hobbies", "Video Games"): ("Leisure > Video Games",),
    ("Government & Organizations", "Local"): ("Government",),
    ("Government & Organizations", "National"): ("Government",),
    ("Government & Organizations", "Non-Profit"): ("Business > Non-Profit",),
    ("Government & Organizations", "Regional"): ("Government",),
    ("Health", "Alternative Health"): ("Health & Fitness > Alternative Health",),
    ("Health", "Fitness & Nutrition"): (
        "Health & Fitness > Fitness", "Health & Fitness > Nutrition",
    ),
    ("Health", "Self-Help"): ("Education > Self-Improvement",),
    ("Health", "Sexuality"): ("Health & Fitness > Sexuality",),
    ("Religion & Spirituality", "Other"): ("Religion & Spirituality > Religion",),
    ("Science & Medicine", "Medicine"): ("Health & Fitness > Medicine",),
    ("Science & Medicine", "Natural Sciences"): ("Science > Natural Sciences",),
    ("Science & Medicine", "Social Sciences"): ("Science > Social Sciences",),
    ("Society & Culture", "History"): ("History",),
    ("Sports & Recreation", "Amateur"): ("Sports",),
    ("Sports & Recreation", "College & High School"): ("Sports",),
    ("Sports & Recreation", "Outdoor"): ("Sports > Wilderness",),
    ("Sports & Recreation", "Professional"): ("Sports",),
    ("Technology", "Gadgets"): ("Technology",),
    ("Technology", "Podcasting"): ("Technology",),
    ("Technology", "Software How-To"): ("Technology",),
    ("Technology", "Tech News"): ("News > Tech News",),
}  # fmt: skip
# Separators producers write instead of " > " (iTunes' "Music:Music Interviews", paths…).
_SEPARATORS = re.compile(r"\s*(?::|/|\\|»|›|→|->|\|)\s*")


def parse_categories(value: Any, context: Context) -> tuple[Category, ...]:
    """Categories from a YAML value: one text or a list of ``Parent > Sub``, ``Parent`` or
    ``{Parent: Sub}``, each checked against Apple's list (C-05). Raises Mismatch for a value
    of another type; reports each bad category through ``context``."""
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list):
        raise Mismatch
    fail = context.fail
    if not raw:
        fail(
            "'categories' is empty; name at least one Apple category [C-05]",
            hint="write e.g. 'categories: [Health & Fitness > Medicine]'",
        )
    found: list[Category] = []
    for i, item in enumerate(raw):
        if isinstance(item, dict) and len(item) == 1:
            ((name, sub),) = item.items()
        elif isinstance(item, str):
            name, _, sub = (s.strip() for s in item.partition(">"))
        else:
            fail(
                "a category is 'Parent > Sub' or 'Parent'",
                i,
                hint="write e.g. '- Health & Fitness > Medicine' or '- Science'",
            )
            continue
        name, sub = str(name), (str(sub) if sub else None)
        problem = _problem(name, sub)
        if problem is None:
            found.append(Category(name, sub))
        else:
            fail(problem[0], i, hint=problem[1])
    return tuple(found)


def _problem(name: str, sub: str | None) -> tuple[str, str] | None:
    """(message, hint) for a category that is not Apple's current one, else None."""
    written = f"{name} > {sub}" if sub else name
    retired = RETIRED_SUBS.get((name, sub)) if sub else None
    retired = retired or RETIRED.get(name)
    if retired:
        now = " or ".join(f"'{c}'" for c in retired)
        return (
            f"{written!r} is a category Apple retired in 2019 [C-05]",
            f"did you mean {now}?",
        )
    if name not in APPLE_CATEGORIES:
        return f"unknown Apple category {name!r} [C-05]", _parent_hint(name)
    if sub is not None and sub not in APPLE_CATEGORIES[name]:
        subs = APPLE_CATEGORIES[name]
        close = difflib.get_close_matches(sub, list(subs), n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "its subcategories: " + (", ".join(subs) or "none")
        )
        return f"{sub!r} is not a subcategory of {name!r} [C-05]", hint
    return None


def _parent_hint(name: str) -> str:
    parts = _SEPARATORS.split(name, maxsplit=1)
    if len(parts) == 2 and _problem(parts[0], parts[1]) is None:
        return f"did you mean '{parts[0]} > {parts[1]}'? (Apple's parent and subcategory)"
    if len(parts) == 2 and parts[0] in APPLE_CATEGORIES and _problem(parts[0], None) is None:
        return f"did you mean '{parts[0]} > …'? its subcategories: " + (
            ", ".join(APPLE_CATEGORIES[parts[0]]) or "none"
        )
    close = difflib.get_close_matches(name, list(APPLE_CATEGORIES), n=1)
    parent = next((p for p, subs in APPLE_CATEGORIES.items() if name in subs), None)
    if parent:
        return f"it is a subcategory: write '{parent} > {name}'"
    if close:
        return f"did you mean '{close[0]}'?"
    return "see Apple's category list"
