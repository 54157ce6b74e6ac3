"""The web app: server-rendered pages and the JSON API over the same services.

    uvicorn papertide.web:create_app --factory     # or: papertide serve
"""

from papertide.web._app import create_app

__all__ = ["create_app"]
