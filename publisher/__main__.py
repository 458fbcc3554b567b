from publisher.cli import entry

raise SystemExit(entry())
