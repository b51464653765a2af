"""``warta serve``: the web UI and REST API over the store the other commands use."""

from __future__ import annotations

import click
import uvicorn

from . import Context, cli


@cli.command("serve")
@click.option("--host", default=None, help="Interface to listen on [default: [server] host, 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port [default: [server] port, 8000].")
@click.option("--token", envvar="WARTA_TOKEN", default=None,
              help="Bearer token that enables the write endpoints (else [server] token; none = read-only).")
@click.pass_obj
def serve(ctx: Context, host: str | None, port: int | None, token: str | None) -> None:
    """Serve the story pages and the JSON API (spec at /openapi.json) until interrupted."""
    from ..web import create_app

    settings = ctx.settings
    store = ctx.open_store()
    app = create_app(store, settings, token=token)
    host = host or settings.server.host
    port = settings.server.port if port is None else port
    mode = "read-write" if app.state.web.token else "read-only"
    click.echo(f"warta serving {store.url} on http://{host}:{port} ({mode}); Ctrl-C stops it", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning",
                    timeout_keep_alive=settings.server.keep_alive)
    finally:
        store.close()
