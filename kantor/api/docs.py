"""The browsable API page (API-4), working without internet.

django-ninja 1.7 ships Swagger UI's files in its package but links them only
when ``ninja`` is in INSTALLED_APPS; otherwise its page loads them from a CDN,
which an offline installation cannot reach. ``OfflineSwagger`` renders our own
page and ``docs_asset`` serves the few files straight from ninja's package,
under the API's own URL (``/api/v2.0.0/docs/assets/…``), so the page works
offline whatever the project's static-files setup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

__all__ = ["OfflineSwagger", "docs_asset"]

_ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
#: The only files served: a closed list, never a path from the request.
_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}


class OfflineSwagger(DocsBase):
    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        namespace = api.urls_namespace

        def asset(name: str) -> str:
            return reverse(f"{namespace}:docs-asset", args=[name])

        context = {
            "api": api,
            "swagger_settings": {**self.settings, "url": self.get_openapi_url(api, kwargs)},
            "assets": {
                "css": asset("swagger-ui.css"),
                "bundle": asset("swagger-ui-bundle.js"),
                "init": asset("swagger-ui-init.js"),
                "favicon": asset("favicon.svg"),
            },
        }
        return render(request, "kantor_api/swagger.html", context)


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in _ASSETS:
        raise Http404(name)
    response = FileResponse(
        (_ASSET_DIR / name).open("rb"),
        content_type=_ASSETS[name],
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
