"""Config stage: ``feed_config.yaml`` -> a frozen :class:`~publisher.model.Show`.

``yamldoc`` is the only PyYAML import (it keeps each key's line); ``categories`` is Apple's
list; ``persons`` reads ``podcast:person`` entries shared with front matter.
"""

from publisher.config.show import (
    CONFIG_NAME,
    XML_ILLEGAL,
    find_target,
    load,
    make_target,
    podcast_guid,
    store_podcast_guid,
    xml_illegal_chars,
)

__all__ = [
    "CONFIG_NAME",
    "XML_ILLEGAL",
    "find_target",
    "load",
    "make_target",
    "podcast_guid",
    "store_podcast_guid",
    "xml_illegal_chars",
]
