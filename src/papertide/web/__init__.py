"""The web app: server-rendered pages and the JSON API over the same services.

    uvicorn papertide.web:serve_app --factory --workers 4    # or: papertide serve --workers 4
    gunicorn -k uvicorn.workers.UvicornWorker -w 4 'papertide.web:serve_app()'
"""

from papertide.web._app import create_app, serve_app

__all__ = ["create_app", "serve_app"]
