"""`roleplay serve`: the app on uvicorn; "serving on http://HOST:PORT" once it accepts."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from roleplay.model.errors import RoleplayError
from roleplay.web.desk_headset import HeadsetConfig

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(host: str, port: int, calls_dir: Path, db_url: str | None, scenarios_dir: Path | None,
          abandon_s: float = 60.0, headset: HeadsetConfig | None = None) -> None:
    import uvicorn

    from roleplay.web.app import ServerConfig, create_app

    config = ServerConfig(calls_dir=calls_dir, scenarios_dir=scenarios_dir, db_url=db_url,
                          require_login=host not in LOOPBACK, abandon_s=abandon_s, headset=headset)
    app = create_app(config)
    if config.require_login and app.state.server.accounts.count() == 0:
        raise RoleplayError(f"serving on {host} (beyond this machine) needs accounts: create one with "
                            "`roleplay accounts add NAME --role trainer`")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
            print(f"serving on http://{host}:{bound}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
    if not server.started:
        print(f"roleplay: could not listen on {host}:{port}", file=sys.stderr)
