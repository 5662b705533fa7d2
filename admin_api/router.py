"""The ``/api/v1`` router: every route, each declaring who may call it, written into the OpenAPI document.

Deny by default: ``build_router`` reads each route's declaration (an ``Allowed(action)``
dependency, the ``CurrentOfficial`` dependency, or ``PUBLIC``) and refuses to build if a
route has none. The declaration is published as ``x-permission`` on each operation, which is
what the role × route test reads.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from admin_api.deps import AUTHENTICATED, PERMISSION_KEY, Allowed, current_official
from admin_api.routes import attachments, audit, auth, calendar, health, officials, reports, tickets

PREFIX = "/api/v1"


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def declared_permission(route: APIRoute) -> str | None:
    """What a route requires: an action's name, ``authenticated``, ``public``, or None (undeclared)."""
    public = (route.openapi_extra or {}).get(PERMISSION_KEY)
    calls = [dependency.call for dependency in _dependencies(route.dependant)]
    actions = sorted({call.action.value for call in calls if isinstance(call, Allowed)})
    if len(actions) > 1:
        raise RuntimeError(f"{route.path} declares several permissions: {actions}")
    if actions:
        return actions[0]
    if current_official in calls:
        return AUTHENTICATED
    return str(public) if public is not None else None


def build_router() -> APIRouter:
    """All of the API's routes under ``/api/v1``, each with its permission published in the OpenAPI document."""
    router = APIRouter(prefix=PREFIX)
    for module in (auth, tickets, attachments, reports, audit, calendar, officials, health):
        # Marked on the modules' own routes: included routers read their routes when serving.
        for route in module.router.routes:
            if not isinstance(route, APIRoute):
                raise RuntimeError(f"{route!r} is not an API route: it could not declare a permission")
            permission = declared_permission(route)
            if permission is None:
                raise RuntimeError(
                    f"{sorted(route.methods or ())} {route.path} declares no permission (deny by default)"
                )
            route.openapi_extra = {**(route.openapi_extra or {}), PERMISSION_KEY: permission}
        router.include_router(module.router)
    return router
