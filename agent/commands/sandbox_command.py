"""``escalation-agent sandbox``: run the local Jira + Confluence + Slack stand-in."""

from __future__ import annotations

import argparse
import secrets
import tempfile
from pathlib import Path

from rich.console import Console

from agent.commands.sandbox_extra import sandbox_is_installed
from agent.sandbox.seed import SEEDS  # needs no library of the [sandbox] extra

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
EXIT_FAILED = 1


def run_sandbox(console: Console, args: argparse.Namespace) -> int:
    if not sandbox_is_installed(console, "sandbox"):
        return EXIT_FAILED
    from agent.sandbox.server import SandboxServer, env_block  # noqa: PLC0415 - [sandbox] extra

    token = args.token or secrets.token_urlsafe(18)
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="sandbox-"))
    server = SandboxServer(
        host=args.host,
        port=args.port,
        data_dir=data_dir,
        token=token,
        seed=args.seed,
        deployment=args.deployment,
    )
    urls = server.urls
    console.print(f"Sandbox running (data in {data_dir}; Ctrl-C stops it)")
    if args.host not in LOOPBACK_HOSTS:
        console.print(f"WARNING: listening on {args.host}, reachable from other machines.")
    console.print(f"  Jira:       {urls.jira}")
    console.print(f"  Confluence: {urls.confluence}")
    console.print(f"  Slack API:  {urls.slack}")
    console.print(f"  Viewer:     {urls.base}/")
    console.print("\nPoint the agent at it with this .env block:\n")
    console.print(env_block(urls, token) + "\nCONFLUENCE_SPACE=OPS", markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("\nSandbox stopped.")
    finally:
        server.ctx.store.close()
    return 0


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        parents=parents,
        help="run a local Jira, Confluence and Slack that speak the real REST APIs",
        description=(
            "Run the built-in sandbox: Jira at http://HOST:PORT, Confluence at /wiki (Cloud) "
            "or at the root (Data Center), the Slack Web API at /api/. Binds to loopback "
            "unless told otherwise."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument("--data-dir", help="folder for the sandbox's SQLite file (default: temp)")
    parser.add_argument("--seed", choices=SEEDS, default="empty", help="starting data")
    parser.add_argument("--token", help="the API token clients must send (default: random)")
    parser.add_argument(
        "--deployment",
        "--jira-deployment",  # the name before Confluence followed the deployment too
        dest="deployment",
        choices=("cloud", "datacenter"),
        default="cloud",
        help=(
            "which Atlassian deployment to imitate: cloud (Confluence under /wiki, people by "
            "accountId) or datacenter (Confluence at the root, people by name and key)"
        ),
    )
    parser.set_defaults(handler=run_sandbox, needs_settings=False)
