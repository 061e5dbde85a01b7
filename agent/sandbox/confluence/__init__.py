"""The sandbox's Confluence: REST v1 (Cloud under ``/wiki``, Data Center at the
site root) and REST v2 under ``/wiki/api/v2``, over one data model (``model.py``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from agent.sandbox.app import SandboxContext
from agent.sandbox.confluence import routes_content, routes_meta, routes_search, routes_space, v2

V1_PREFIXES = {"confluence_v1_cloud": "/wiki/rest/api", "confluence_v1_dc": "/rest/api"}


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register v1 under both of its prefixes, and v2."""
    v1 = Blueprint("confluence_v1", __name__)
    routes_space.add_routes(v1, ctx)
    routes_search.add_routes(v1, ctx)  # before content/<id> so content/search wins
    routes_content.add_routes(v1, ctx)
    routes_meta.add_routes(v1, ctx)
    for name, prefix in V1_PREFIXES.items():
        app.register_blueprint(v1, url_prefix=prefix, name=name)
    app.register_blueprint(v2.blueprint(ctx), url_prefix="/wiki/api/v2")
