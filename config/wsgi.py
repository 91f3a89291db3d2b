import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.warmup import warm_up_if_enabled  # noqa: E402 (Django is set up by the line above)

warm_up_if_enabled()
