"""``manage.py db_backup [--output PATH]`` (``make backup``): a backup of the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from config.backup import BackupError, backup_create


class Command(BaseCommand):
    """Back the database up (pg_dump, or SQLite's online backup API); prints the file's path."""

    help = "Back the database up to VAR_DIR/backups (or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="backup file to write (default: VAR_DIR/backups/<name>-<time>)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output: str | None, database: str, **options):
        try:
            path = backup_create(
                database=connections[database].settings_dict, output=Path(output) if output else None
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
