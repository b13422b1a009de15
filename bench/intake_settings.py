"""Settings of the intake benchmark's gunicorn: the project's settings plus one bare view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_urls"
