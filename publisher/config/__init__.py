"""Config stage: ``feed_config.yaml`` -> a frozen :class:`~publisher.model.Show`.

``yamldoc`` is the only PyYAML import (it keeps each key's line); ``categories`` is Apple's
list; ``persons`` reads ``podcast:person`` entries shared with front matter.
"""

from publisher.config.identity import (
    feed_guid,
    identity_notices,
    is_public,
    is_public_https,
    podcast_guid,
    production_target,
)
from publisher.config.show import (
    CONFIG_NAME,
    XML_ILLEGAL,
    find_target,
    load,
    make_target,
    store_podcast_guid,
    xml_illegal_chars,
)

__all__ = [
    "CONFIG_NAME",
    "feed_guid",
    "identity_notices",
    "is_public",
    "is_public_https",
    "production_target",
    "XML_ILLEGAL",
    "find_target",
    "load",
    "make_target",
    "podcast_guid",
    "store_podcast_guid",
    "xml_illegal_chars",
]
