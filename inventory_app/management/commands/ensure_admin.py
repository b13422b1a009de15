"""``manage.py ensure_admin``: make sure an administrator exists (idempotent; ``make run`` calls it).

Reads ADMIN_USERNAME, ADMIN_PASSWORD and ADMIN_EMAIL from the environment (a password on the
command line would show in the process list). A password it generates is printed this once;
an existing user's password is never changed or shown.
"""

from __future__ import annotations

import environ
from django.core.management.base import BaseCommand, CommandError

from inventory_app.services.admins import AdminUserError, admin_user_ensure


class Command(BaseCommand):
    """Create the first superuser unless one exists; print generated credentials once."""

    help = __doc__

    def handle(self, *args, **options):
        env = environ.Env()
        username = env.str("ADMIN_USERNAME", default="") or None
        try:
            result = admin_user_ensure(
                username=username,
                email=env.str("ADMIN_EMAIL", default=""),
                password=env.str("ADMIN_PASSWORD", default="") or None,
            )
        except AdminUserError as exc:
            raise CommandError(str(exc)) from exc
        name = result.user.get_username()
        if not result.created:
            self.stdout.write(f"Admin user {name!r} already exists; its password is unchanged.")
        elif result.generated_password is None:
            self.stdout.write(
                self.style.SUCCESS(f"Created admin user {name!r} (password from ADMIN_PASSWORD).")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "Created the first admin user. These credentials are shown only this once:\n"
                    f"    username: {name}\n"
                    f"    password: {result.generated_password}\n"
                    "Log in at /admin/ and change the password there if you like."
                )
            )
