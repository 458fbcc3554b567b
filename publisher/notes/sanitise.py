"""The last step of every rendering: an allow-list sanitiser (the only nh3 import).

The renderers already escape everything that comes from notes, front matter and
bibliography fields; this pass is the safety net that guarantees, whatever a bug upstream
lets through, that only the tags and attributes of each rendering survive, that URLs use
``http``, ``https`` or ``mailto`` only, and that script content is dropped with its text.
"""

from __future__ import annotations

import nh3

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# The renderers put rel="nofollow noopener" on external links only; nh3's own ``link_rel``
# would add it to every link (in-page ones too), so it is switched off and ``rel`` is allowed
# with that one value.
_REL = {"a": {"rel": {"nofollow noopener"}}}

_CLEAN_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})

_RICH_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td",
        "hr", "br", "dl", "dt", "dd", "img", "s", "section", "span",
    }
)  # fmt: skip

_RICH_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}

# In-page structure of the website rendering: anchors, back links, accessible labels.
_WEB_ATTRIBUTES: dict[str, set[str]] = {
    **_RICH_ATTRIBUTES,
    "a": {"href", "title", "id", "class", "aria-label"},
    "sup": {"class", "id"},
    "li": {"id", "class"},
    "ol": {"start", "type", "class"},  # type="a": the lettered footnotes
    "section": {"class", "id", "aria-labelledby"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "hr": {"class"},
    "span": {"class"},
}

_DESCRIPTION_TAGS = frozenset({"p", "ol", "ul", "li", "a"})


def _clean(html: str, tags: frozenset[str], attributes: dict[str, set[str]]) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        clean_content_tags=set(_CLEAN_CONTENT),
        attributes=attributes,
        tag_attribute_values=_REL,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def sanitise_web(html: str) -> str:
    """Sanitise the website rendering: rich tags plus in-page anchors and ARIA labels."""
    return _clean(html, _RICH_TAGS, _WEB_ATTRIBUTES)


def sanitise_content(html: str) -> str:
    """Sanitise the feed ``content:encoded`` rendering: rich tags, no ids or classes."""
    return _clean(html, _RICH_TAGS - {"section", "span"}, _RICH_ATTRIBUTES)


# An HTML transcript (Podcasting 2.0): speakers in <cite>, times in <time>, text in <p>.
_TRANSCRIPT_TAGS = frozenset(
    {"p", "cite", "time", "br", "span", "em", "strong", "b", "i", "u", "a", "ul", "ol", "li",
     "h1", "h2", "h3", "blockquote", "section"}
)  # fmt: skip
_TRANSCRIPT_ATTRIBUTES: dict[str, set[str]] = {"time": {"datetime"}, "a": {"href", "title"}}


def sanitise_transcript(html: str) -> str:
    """Sanitise an HTML transcript (often made by a third-party service) before it is
    published on the show's own origin: its text, speakers, times and links, nothing that
    runs (no script, no event handler, no ``javascript:`` URL, no style, no frame). A whole
    document's ``<title>`` goes with its text; other wrapper tags are dropped, their text
    kept."""
    return nh3.clean(
        html,
        tags=set(_TRANSCRIPT_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT | {"title"}),
        attributes=_TRANSCRIPT_ATTRIBUTES,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )


def sanitise_description(html: str) -> str:
    """Sanitise the feed ``description``: Apple's subset ``p ol ul li a`` and ``a href`` only."""
    return _clean(html, _DESCRIPTION_TAGS, {"a": {"href"}})
