"""``publisher import``: move a show here from any host, keeping every episode's GUID and
date and the show's identity (read -> map -> fetch -> write; see :mod:`.run`)."""

from publisher.importer.model import ImportReport
from publisher.importer.run import import_show
from publisher.importer.summary import move_steps, summary_lines

__all__ = ["ImportReport", "import_show", "move_steps", "summary_lines"]
