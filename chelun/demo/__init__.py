"""The deterministic demo Sichuan built by ``manage.py seed_demo``.

Plain modules, no models: ``figures`` (the published targets), ``names`` and ``identifiers`` (synthetic people and
companies), ``geography`` (weights from the real divisions and expressway corridors), ``orgs`` and ``people`` (plans
built in Python, then bulk-inserted), ``accounts`` (demo logins) and ``seed`` (the whole run).
"""
