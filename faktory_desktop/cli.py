"""The command line: `faktory-desktop` opens the app, `faktory-desktop serve` runs headless.

Both take Faktory's flags (-b, -d, -e, -l, -c) plus ours. A mistake in the flags or the
configuration prints one line and exits with 2; a failure to start prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import NoReturn

from faktory_desktop import FAKTORY_COMPAT_VERSION, __version__, logs
from faktory_desktop.compiled import compiled_is_stale, hot_path_kind
from faktory_desktop.config import ENVIRONMENTS, LOG_LEVELS, ConfigError, Settings, build_settings
from faktory_desktop.engine import EngineError
from faktory_desktop.server.runtime import FaktoryRuntime, new_event_loop

log = logging.getLogger("faktory_desktop")

EXIT_USAGE = 2
EXIT_FAILURE = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def server_flags(parser: argparse.ArgumentParser) -> None:
    """The flags `serve` and the app share."""
    add = parser.add_argument
    add("-b", dest="binding", metavar="HOST:PORT", help="command port binding (127.0.0.1:7419)")
    add("-w", dest="web_binding", metavar="HOST:PORT",
        help='Web UI binding (127.0.0.1:7420 for serve), or "off"')
    add("-d", dest="data_dir", metavar="DATADIR", help="storage directory")
    add("-e", dest="environment", choices=ENVIRONMENTS, help="environment (development)")
    add("-l", dest="log_level", choices=LOG_LEVELS, help="log level (info)")
    add("-c", dest="config_dir", metavar="CONFIGDIR", help="config directory with conf.d/*.toml")
    add("--redis-url", metavar="URL", help="use this Redis/Valkey instead of starting one")
    add("--redis-server", metavar="PATH", help="the redis-server or valkey-server to run")
    add("--password-file", metavar="FILE", help="file holding the command-port password")
    add("--tls-cert", metavar="FILE", help="TLS certificate (PEM)")
    add("--tls-key", metavar="FILE", help="TLS private key (PEM)")
    add("--max-line", type=int, metavar="BYTES", help="longest accepted command line (16 MiB)")
    add("--max-connections", type=int, metavar="N", help="connection cap (2000)")
    add("--metrics", metavar="HOST:PORT", help="serve Prometheus /metrics here (off)")
    add("--redis-gateway", metavar="HOST:PORT", help="expose the engine on TCP here (off)")
    add("--engine-timeout", type=float, metavar="SECONDS",
        help="deadline for each wait on the storage engine (5)")
    add("--engine-health-limit", type=float, metavar="SECONDS",
        help="restart an engine that answers nothing for this long (15)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="faktory-desktop", description="Faktory, on your desktop.")
    parser.add_argument("--version", action="version",
                        version=f"Faktory Desktop {__version__} (Faktory {FAKTORY_COMPAT_VERSION} "
                                f"protocol, {hot_path_kind()} hot path)")
    server_flags(parser)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the server headless (no display needed)")
    server_flags(serve)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return build_settings(vars(args))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command != "serve" and _display_available():
            logs.configure(args.log_level or "info")
            return _run_app(vars(args))
        settings = settings_from(args)
    except ConfigError as exc:
        print(f"faktory-desktop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logs.configure(settings.log_level)
    if args.command != "serve":
        log.info("no display found: running the headless server")
    return serve(settings)


def _display_available() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM") == "offscreen")


def _run_app(flags: dict[str, object]) -> int:
    from faktory_desktop.ui.qt_platform import platform_problem

    problem = platform_problem()  # Qt itself would abort the process
    if problem is not None:
        print(f"faktory-desktop: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    from faktory_desktop.ui.launch import run  # Qt loads only for the app

    return run(flags)


def serve(settings: Settings) -> int:
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(_serve(settings))
    finally:
        loop.close()


async def _serve(settings: Settings) -> int:
    should_exit = asyncio.Event()
    _install_signal_handlers(should_exit)
    runtime = FaktoryRuntime(settings)
    _install_reload_handler(runtime)  # before the banner: a SIGHUP after it must not kill us
    try:
        await runtime.start()
    except (EngineError, OSError, ConfigError) as exc:
        print(f"faktory-desktop: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    _banner(settings, runtime)
    try:
        await should_exit.wait()
    finally:
        log.info("shutting down")
        await runtime.stop()
    return 0


def _install_signal_handlers(should_exit: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, should_exit.set)
        except NotImplementedError:  # Windows
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(should_exit.set))


def _install_reload_handler(runtime: FaktoryRuntime) -> None:
    """SIGHUP re-reads conf.d, as Faktory does (not on Windows, which has no SIGHUP)."""
    if not hasattr(signal, "SIGHUP"):
        return
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[None]] = set()

    def reload() -> None:
        task = loop.create_task(_reload(runtime))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)


async def _reload(runtime: FaktoryRuntime) -> None:
    log.info("SIGHUP: reloading the configuration")
    try:
        await runtime.reload()
    except ConfigError as exc:
        log.error("configuration not reloaded, the previous one stays in force: %s", exc)


def _banner(settings: Settings, runtime: FaktoryRuntime) -> None:
    engine = runtime.engine
    kind = hot_path_kind()
    log.info("Faktory Desktop %s (Faktory %s protocol, %s hot path)", __version__,
             FAKTORY_COMPAT_VERSION, kind)
    if kind == "compiled" and compiled_is_stale():
        log.warning("the compiled hot path is older than its sources: rebuild it with `make "
                    "compile`, or run the sources with FAKTORY_DESKTOP_PURE_PYTHON=1")
    if engine.address is not None:
        log.info("storage engine: %s, inspect with: %s", engine.binary or "external",
                 engine.address.cli_command)
    features = settings.features
    if features.cron or features.throttles:
        log.info("conf.d: %d cron entries, %d throttled queues (kill -HUP %d reloads them)",
                 len(features.cron), len(features.throttles), os.getpid())
    tls = " via TLS" if settings.tls_cert else ""
    log.info("PID %d listening%s at %s:%d, press Ctrl-C to stop", os.getpid(), tls,
             settings.host, runtime.port)
    if runtime.web is not None:
        log.info("Web server now listening at %s:%d (%s)", settings.web_host, runtime.web.port,
                 runtime.web.url)
