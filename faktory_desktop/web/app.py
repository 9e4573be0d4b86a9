"""The aiohttp application: one catch-all handler that takes off the proxy prefix, serves
/static and /health without auth, checks auth and origin, then dispatches to a page or form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from urllib.parse import unquote

from aiohttp import web
from aiohttp.typedefs import Handler as AioHandler

from faktory_desktop.web import actions, status
from faktory_desktop.web.enterprise_pages import enterprise_routes
from faktory_desktop.web.pages import Pages
from faktory_desktop.web.render import Renderer
from faktory_desktop.web.request import WebContext, WebRequest
from faktory_desktop.web.routing import GET_POST, Handler, Router, strip_prefix
from faktory_desktop.web.security import add_headers, check_auth, check_same_origin

log = logging.getLogger(__name__)

STATIC = resources.files("faktory_desktop.web") / "static"
STATIC_CACHE = {"Cache-Control": "public, max-age=3600"}
ANY = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
SETS = "(?P<set>retries|scheduled|morgue)"

# Pages beyond Faktory's own (the Enterprise ones: Batches, Cron, Throttles) go here: each adds
# its routes and its tab to the router, after Faktory's, and renders with the same chrome.
Feature = Callable[[Router, Renderer], None]
FEATURE_PAGES: tuple[Feature, ...] = (enterprise_routes,)


def faktory_routes(router: Router, renderer: Renderer) -> None:
    """Faktory's pages and tabs (U-01, U-10)."""
    pages, debug = Pages(renderer), status.Debug(renderer)
    router.add("/", pages.dashboard)
    router.add("/stats", status.stats, ANY)
    router.add("/busy", _by_method(pages.busy, actions.busy_action), GET_POST)
    router.add("/queues", pages.queues)
    router.add("/queues/(?P<name>[^/]+)", _by_method(pages.queue, actions.queue_action),
               GET_POST)
    router.add("/queues/(?P<name>[^/]+)/(?P<jid>[^/]+)", pages.queue_job)
    router.add(f"/{SETS}", _by_method(pages.set_list, actions.set_action), GET_POST)
    router.add(f"/{SETS}/(?P<key>[^/]+)", _by_method(pages.set_entry, actions.set_action),
               GET_POST)
    router.add("/debug", debug.page)
    for label, path in (("Dashboard", "/"), ("Busy", "/busy"), ("Queues", "/queues"),
                        ("Retries", "/retries"), ("Scheduled", "/scheduled"),
                        ("Dead", "/morgue")):
        router.tab(label, path)


def _by_method(get: Handler, post: Handler) -> Handler:
    async def handle(req: WebRequest) -> web.StreamResponse:
        return await (post if req.http.method == "POST" else get)(req)
    return handle


def build_app(ctx: WebContext) -> web.Application:
    router = Router()
    renderer = Renderer(router)
    for add_pages in (faktory_routes, *FEATURE_PAGES):
        add_pages(router, renderer)
    static_files = {f.name for f in STATIC.iterdir() if f.is_file()}

    async def dispatch(request: web.Request) -> web.StreamResponse:
        prefix, path = strip_prefix(request.rel_url.raw_path, request.headers.get("X-Script-Name"))
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            if name not in static_files:
                raise web.HTTPNotFound(text="Not found")
            return web.FileResponse(str(STATIC / name), headers=STATIC_CACHE)
        if path == "/health":
            return status.health(ctx)
        check_auth(request, ctx.settings.web_password)
        check_same_origin(request)
        found = router.resolve(path)
        if found is None:
            raise web.HTTPNotFound(text="Not found")
        route, groups = found
        if request.method not in route.methods:
            raise web.HTTPMethodNotAllowed(request.method, sorted(route.methods),
                                           text=f"{request.method} not allowed here")
        match = {k: unquote(v) for k, v in groups.items()}
        return await route.handler(WebRequest(request, ctx, prefix, path, match))

    app = web.Application(middlewares=[_errors], client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    app.on_response_prepare.append(_on_prepare)
    return app


async def _on_prepare(_request: web.Request, response: web.StreamResponse) -> None:
    add_headers(response)


@web.middleware
async def _errors(request: web.Request, handler: AioHandler) -> web.StreamResponse:
    """An unexpected error is logged and answered 500, never a crash of the server."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("Web UI: %s %s failed", request.method, request.path)
        return web.Response(status=500, text="Internal error; the server log has the details")
