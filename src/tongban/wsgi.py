"""WSGI entry point for granian / gunicorn."""

import logging
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
application = get_wsgi_application()


def _warm_search() -> None:
    """Build the search index (jieba's dictionary: 1–3 s, once per process) while the worker starts, so
    the first citizen who searches does not wait for it. A failure here only means the first search
    builds it, as before."""
    try:
        from tongban.catalogue.search_index import current_index

        current_index()
    except Exception:  # a cold cache is not worth failing a worker over
        logging.getLogger(__name__).warning("搜索索引预热失败，将在第一次搜索时建立。", exc_info=True)
    finally:
        from django.db import connection

        connection.close()


if os.environ.get("TONGBAN_SEARCH_WARMUP", "1") != "0":
    threading.Thread(target=_warm_search, name="search-warmup", daemon=True).start()
