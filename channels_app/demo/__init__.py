"""The sandbox of ``make run DEMO=1``: fake stores (``fakes``) and the staff-only buyer page
(``views``, served at /demo/ only when ``settings.DEMO`` is on). The seeding is
:mod:`channels_app.services.demo`."""
