"""``manage.py import_catalog path.csv [--dry-run] [--json]``: the catalog CSV import from a shell."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory_app.services.imports import catalog_import_csv


class Command(BaseCommand):
    """Import (or with --dry-run only check) a catalog CSV; exits non-zero when the file has errors."""

    help = "Import SKUs, kits and opening stock from a CSV (see inventory_app.services.imports)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8; comma or semicolon delimited)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")

    def handle(self, *args, path: str, dry_run: bool, as_json: bool, **options):
        try:
            content = Path(path).read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text (save it as 'CSV UTF-8')") from exc
        report = catalog_import_csv(content=content, dry_run=dry_run)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self._report_print(report)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported")

    def _report_print(self, report) -> None:
        for error in report.errors:
            self.stdout.write(f"row {error.row}, {error.column or '-'}: {error.message}")
        if report.applied:
            state = "imported"
        elif report.ok:
            state = "dry run: ready to import, nothing written"
        else:
            state = "not imported"
        created, updated = ("created", "updated") if report.applied else ("to create", "to update")
        self.stdout.write(
            f"{state}: {report.rows} rows, {report.skus_created} SKUs {created}, "
            f"{report.skus_updated} {updated}, {report.stock_rows} stock rows"
        )
