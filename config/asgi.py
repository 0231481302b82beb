"""ASGI entry point: pages, API and server push under one uvicorn server."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from okno.core.asgi import RequestThreads, SyncChainASGIHandler  # noqa: E402

application = RequestThreads(SyncChainASGIHandler(), threads=settings.SERVER_THREADS)
