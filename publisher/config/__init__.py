"""Config stage: ``feed_config.yaml`` -> a frozen :class:`~publisher.model.Show`.

``yamldoc`` is the only PyYAML import (it keeps each key's line); ``schema`` is the one field
reader and ``fields`` its two tables (feed_config.yaml keys, front matter fields);
``categories`` is Apple's list; ``persons`` reads ``podcast:person`` entries; ``targets`` the
publish targets; ``dates`` publication dates in the show's time zone.
"""

from publisher.config.fields import CONFIG, FRONT_MATTER
from publisher.config.identity import (
    feed_guid,
    identity_notices,
    is_public,
    is_public_https,
    podcast_guid,
    production_target,
)
from publisher.config.show import CONFIG_NAME, load, store_podcast_guid
from publisher.config.targets import find_target, make_target
from publisher.config.text import XML_ILLEGAL, xml_illegal_chars

__all__ = [
    "CONFIG",
    "CONFIG_NAME",
    "FRONT_MATTER",
    "XML_ILLEGAL",
    "feed_guid",
    "find_target",
    "identity_notices",
    "is_public",
    "is_public_https",
    "load",
    "make_target",
    "podcast_guid",
    "production_target",
    "store_podcast_guid",
    "xml_illegal_chars",
]
