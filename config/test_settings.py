"""Settings for the test suite: development defaults (dev-only keys), jobs run inline, files in a temp folder.
Set before config.settings is read, which is why this is a module and not a conftest."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ["HUEY_IMMEDIATE"] = "1"
os.environ.setdefault("CHELUN_VAR_DIR", tempfile.mkdtemp(prefix="chelun-test-"))

from config.settings import *  # noqa: F403
from config.settings import STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing; tests serve from the finders
