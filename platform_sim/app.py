"""build_app(): one Starlette application serving every simulated platform plus the /_sim control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount

from .control import control_routes
from .kit import Simulator
from .platforms import load_platforms


def build_app() -> Starlette:
    modules = load_platforms()
    specs = {key: module.SPEC for key, module in modules.items()}
    routes = [Mount("/_sim", routes=control_routes())]
    routes += [Mount(f"/{key}", routes=module.routes()) for key, module in modules.items()]

    async def not_found(request, exc):
        return JSONResponse({"error": f"the simulator has no route {request.method} {request.url.path}"}, 404)

    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.sim = Simulator(specs)
    return app
