"""Apple Podcasts categories (C-05): exact names, current list (not feedgen's pre-2019 table)."""

from __future__ import annotations

import difflib
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


def parse_categories(value: Any, context: Context) -> tuple[Category, ...]:
    """Categories from a YAML value: one text or a list of ``Parent > Sub``, ``Parent`` or
    ``{Parent: Sub}``, each checked against Apple's list (C-05). Raises Mismatch for a value
    of another type; reports each bad category through ``context``."""
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list):
        raise Mismatch
    fail = context.fail
    if not raw:
        fail("'categories' is empty; name at least one Apple category [C-05]")
    found: list[Category] = []
    for i, item in enumerate(raw):
        if isinstance(item, dict) and len(item) == 1:
            ((name, sub),) = item.items()
        elif isinstance(item, str):
            name, _, sub = (s.strip() for s in item.partition(">"))
        else:
            fail("a category is 'Parent > Sub' or 'Parent'", i)
            continue
        name, sub = str(name), (str(sub) if sub else None)
        if name not in APPLE_CATEGORIES:
            fail(f"unknown Apple category {name!r} [C-05]", i, hint=_parent_hint(name))
        elif sub is not None and sub not in APPLE_CATEGORIES[name]:
            subs = APPLE_CATEGORIES[name]
            close = difflib.get_close_matches(sub, list(subs), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else "its subcategories: " + (", ".join(subs) or "none")
            )
            fail(f"{sub!r} is not a subcategory of {name!r} [C-05]", i, hint=hint)
        else:
            found.append(Category(name, sub))
    return tuple(found)


def _parent_hint(name: str) -> str:
    close = difflib.get_close_matches(name, list(APPLE_CATEGORIES), n=1)
    parent = next((p for p, subs in APPLE_CATEGORIES.items() if name in subs), None)
    if parent:
        return f"it is a subcategory: write '{parent} > {name}'"
    if close:
        return f"did you mean '{close[0]}'?"
    return "see Apple's category list"
