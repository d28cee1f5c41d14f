"""The ASGI entry point: plain HTTP and WebSockets on one port.

HTTP goes to Django's WSGI handler through a2wsgi, so each request crosses from the event
loop to a worker thread once; Django's own ASGI handler crosses for every sync middleware
and view (benchmarks/http_throughput.py measures both; BENCHMARKS.md has the figures). WebSockets are
served by Channels consumers natively on the loop. ``ZT_HTTP_MODE=asgi`` selects Django's
ASGI handler instead, for comparison.
"""

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengtong.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()  # sets Django up before anything imports models

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from zhengtong.http import freeze_startup_objects  # noqa: E402
from zhengtong.routing import websocket_urlpatterns  # noqa: E402

wsgi_bridge = WSGIMiddleware(get_wsgi_application(), workers=settings.HTTP_THREADS)  # type: ignore[arg-type]


async def wsgi_http(scope: Any, receive: Any, send: Any) -> None:
    # a2wsgi reads the body with run_coroutine_threadsafe(receive()), which needs a coroutine;
    # granian's receive returns a plain awaitable.
    async def receive_coroutine() -> Any:
        return await receive()

    await wsgi_bridge(scope, receive_coroutine, send)


http_application = wsgi_http if settings.HTTP_MODE == "wsgi" else django_asgi

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
freeze_startup_objects()
