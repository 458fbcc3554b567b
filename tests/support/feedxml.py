"""Reading a built feed in tests: the namespaces and XPath helpers shared by the feed tests."""

from __future__ import annotations

from lxml import etree

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}


def one(node: etree._Element, path: str) -> etree._Element:
    """The single node at ``path`` (fails the test when there are none or several)."""
    found = node.xpath(path, namespaces=NS)
    assert isinstance(found, list) and len(found) == 1, f"{path}: {found}"
    return found[0]  # type: ignore[return-value]


def text(node: etree._Element, path: str) -> str:
    return str(one(node, path).text)
