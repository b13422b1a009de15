"""``manage.py db_restore PATH [--noinput]`` (``make restore BACKUP=PATH``): restore a backup."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from config.backup import BackupError, backup_restore


class Command(BaseCommand):
    """Replace the database's contents with a backup made by db_backup. Stop the web and worker
    processes first: nothing may write while the database is replaced."""

    help = "Restore a backup made by db_backup (replaces the database's contents)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="backup file made by db_backup")
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, path: str, database: str, interactive: bool, **options):
        settings_dict = connections[database].settings_dict
        if interactive:
            answer = input(f"Replace the contents of {settings_dict['NAME']} with {path}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        connections.close_all()
        try:
            backup_restore(database=settings_dict, path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path}")
