import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Before the event loop serves anything: the warm-up reads the database synchronously, which is allowed here
# (module import, no running loop) and would not be inside a request.
from config.warmup import warm_up_if_enabled  # noqa: E402 (Django is set up by the line above)

warm_up_if_enabled()
