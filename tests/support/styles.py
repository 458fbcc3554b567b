"""CSL styles the notes tests check a fix in, one list for every test module."""

from __future__ import annotations

# Styles of both families that the fixes of issue 12 are checked in: numeric (AMA, NLM's
# Vancouver, IEEE) and author-date (APA, Chicago, Harvard).
NUMERIC_AND_AUTHOR_DATE = [
    "american-medical-association",
    "nlm-citation-sequence",
    "ieee",
    "apa",
    "chicago-author-date",
    "harvard-cite-them-right",
]
