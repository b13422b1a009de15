"""``manage.py connector_readme [--check]``

Writes each registered connector's credentials and options tables (from its declaration,
``connectors.options``) into its package's README.md, between the table markers; ``--check``
writes nothing and fails when a README differs (what the test suite checks too).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from channels_app.connectors.options import connector_readme
from channels_app.connectors.registry import connector_class_get, connector_kinds


class Command(BaseCommand):
    help = "Write each connector's options table into its README (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, **options):
        stale = []
        for kind in connector_kinds():
            path, wanted = connector_readme(connector_class_get(kind=kind))
            if path.exists() and path.read_text() == wanted:
                continue
            stale.append(str(path))
            if not options["check"]:
                path.write_text(wanted)
                self.stdout.write(f"wrote {path}")
        if stale and options["check"]:
            raise CommandError(
                f"Options tables out of date: {', '.join(stale)} (run manage.py connector_readme)"
            )
