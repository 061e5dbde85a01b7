"""The sandbox's Confluence: REST v1 (Cloud under ``/wiki``, Data Center at the
site root) and, on Cloud only, REST v2 under ``/wiki/api/v2``, over one data model
(``content.py``). Each deployment serves only its own paths, as the real ones do:
a Cloud site has no Confluence at its root, and Data Center has no ``/wiki`` and
no REST v2 (https://developer.atlassian.com/cloud/confluence/rest/v2/intro/).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from agent.sandbox.confluence import routes_content, routes_cql, routes_metadata, routes_space, v2
from agent.sandbox.context import SandboxContext

V1_PREFIXES = {"cloud": "/wiki/rest/api", "datacenter": "/rest/api"}


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register v1 under the deployment's prefix, and v2 on Cloud."""
    v1 = Blueprint("confluence_v1", __name__)
    routes_space.add_routes(v1, ctx)
    routes_cql.add_routes(v1, ctx)  # before content/<id> so content/search wins
    routes_content.add_routes(v1, ctx)
    routes_metadata.add_routes(v1, ctx)
    app.register_blueprint(v1, url_prefix=V1_PREFIXES[ctx.deployment])
    if ctx.deployment == "cloud":
        app.register_blueprint(v2.blueprint(ctx), url_prefix="/wiki/api/v2")
