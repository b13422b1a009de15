"""Error reports without secrets: the filter of Django's debug page and of mailed error reports."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Masks secrets in every report, with DEBUG on too (Django's own filter is off then).

    Besides the settings and the request (POST fields named like a secret too), the local
    variables of every frame are cleansed: a variable or dict key named like a secret (key,
    token, secret, password, credentials, authorization, signature...) shows as
    ``********************``; decrypted credentials (``config.integrations.crypto.SecretValues``) show
    their names only.
    """

    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|CREDENTIAL|HTTP_COOKIE", re.I)

    def is_active(self, request) -> bool:
        return True

    def cleanse_setting(self, key, value):
        from config.integrations.crypto import SecretValues

        if isinstance(value, SecretValues) and not self.hidden_settings.search(str(key)):
            return value  # its repr shows the names only
        return super().cleanse_setting(key, value)

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        params = params.copy()
        for name in params:
            if self.hidden_settings.search(name):
                params[name] = self.cleansed_substitute
        return params

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
