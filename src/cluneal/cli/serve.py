"""``cluneal serve``: the web application behind a production WSGI server (gunicorn)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from cluneal.cli.common import env_option, fail


def _count_option(
    name: str, envvar: str, default: int, most: int, help: str
) -> Callable[[Any], Any]:
    """An option ``name`` (or the environment variable ``envvar``): a whole number, 1 to
    ``most``."""
    return env_option(
        name,
        envvar=envvar,
        default=default,
        show_default=True,
        type=click.IntRange(1, most),
        help=help,
    )


@click.command("serve")
@env_option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="CLUNEAL_HOST",
    help="Address to listen on; 0.0.0.0 for every interface.",
)
@_count_option("--port", "CLUNEAL_PORT", 8000, 65535, "TCP port.")
@_count_option("--workers", "CLUNEAL_WORKERS", 2, 64, "Worker processes.")
@_count_option("--threads", "CLUNEAL_THREADS", 4, 64, "Threads per worker.")
@env_option(
    "--demo",
    is_flag=True,
    envvar="CLUNEAL_DEMO",
    help="Create (once) a fictional demo clinic with accounts and a dozen patients, and print "
    "the accounts' credentials. Never on a production database.",
)
def serve_command(host: str, port: int, workers: int, threads: int, demo: bool) -> None:
    """Run the web application (calculator, record, EHR services, registry, patient pages)
    with gunicorn.

    The database is created or migrated before the server starts: a SQLite file in the user's
    data directory by default (CLUNEAL_DATA_DIR to choose the directory), or the database named
    by DATABASE_URL (postgres://user@host:5432/name or sqlite:///path/file.sqlite3).

    \b
    Examples:
      cluneal serve                       # http://127.0.0.1:8000
      cluneal serve --host 0.0.0.0 --port 8080
      DATABASE_URL=postgres://cluneal@db/cluneal cluneal serve

    Put it behind a TLS-terminating reverse proxy in production and set CLUNEAL_ALLOWED_HOSTS
    and CLUNEAL_SECRET_KEY (see the README's configuration table).
    """
    from cluneal.web.setup import prepare  # Django is configured only when serving

    try:
        database = prepare()
    except ValueError as exc:
        fail(str(exc))
    if demo:
        from cluneal.web.directory.demo import seed_demo_listings
        from cluneal.web.records.demo import seed_demo

        creds = seed_demo()
        seed_demo_listings()
        click.echo(
            f"Demo clinic ready. Sign in at http://{host}:{port}/accounts/login as "
            f"{creds.clinician} (clinician) or {creds.admin} (site administrator), "
            f"password {creds.password}"
        )
    click.echo(f"Cluneal on http://{host}:{port}/ (database: {database})")
    run_gunicorn(host, port, workers, threads)


#: Allocations between two collections of the youngest generation. Python's default (2,000)
#: means a collection every few hundred resources of a CDS request's JSON; the objects of a
#: request are freed by reference counting, so collections that often only cost time.
GC_THRESHOLD = (50_000, 20, 100)


def worker_ready(worker: Any) -> None:
    """Before a worker takes its first request: build what the CDS services use (the knowledge
    pack, its code index and the notes pipeline), then freeze what the worker holds so far out
    of the collector's reach (it stays alive for the worker's life) and collect less often."""
    import gc

    from cluneal.web.cds.warm import warm_up

    warm_up()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for ``cluneal serve``. No control socket: Cluneal does not use
    ``gunicornc``, and gunicorn would otherwise make one in the user's home directory (shared
    by every server on the machine, an error logged where the home is read-only)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "forwarded_allow_ips": os.environ.get("CLUNEAL_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "post_worker_init": worker_ready,
        "control_socket_disable": True,
    }


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from cluneal.web.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in gunicorn_options(host, port, workers, threads).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
