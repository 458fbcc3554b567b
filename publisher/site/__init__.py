"""Site stage: a Show and its items -> the listeners' pages (``render``, the only jinja2
import, with its ``templates/`` and ``static/``)."""

from publisher.site.render import render_site

__all__ = ["render_site"]
