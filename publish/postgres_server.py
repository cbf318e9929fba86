"""The project's own PostgreSQL server: Debian's `postgresql` package, a cluster under
`warehouse/postgres/`, listening on 127.0.0.1 only (`make serve` starts it, `make serve-stop`
stops it). PostgreSQL refuses to run as root: as root, the cluster belongs to, and runs as, the
`postgres` user the package creates.

The cluster's superuser `klimamonitor` loads the mart; BI tools log in as `klimamonitor_reader`.
Both connect without a password, from this machine only (trust on 127.0.0.1 and the socket): a
server others reach is an existing one, named by `KLIMAMONITOR_POSTGRES_URL`.

    python -m publish.postgres_server start|stop|status [--dir DIR] [--port PORT]
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

DEBIAN_BIN = Path("/usr/lib/postgresql")
SUPERUSER = "klimamonitor"
DATABASE = "klimamonitor"
READER = "klimamonitor_reader"
DEFAULT_PORT = 5433


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a cluster of a test's or the bench's own."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bin_dir() -> Path | None:
    """The newest installed server's binaries, or None."""
    found = sorted(DEBIAN_BIN.glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def install() -> Path:
    """Debian's `postgresql`, installed when its server is missing; returns its binaries."""
    if (found := bin_dir()) is not None:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("PostgreSQL's server is missing and there is no apt-get to install it")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["install", "-y", "-qq", "postgresql"], ["update", "-qq"]):
        subprocess.run([*sudo, apt, *command], env=env, capture_output=True)
        if (found := bin_dir()) is not None:
            return found
    result = subprocess.run(
        [*sudo, apt, "install", "-y", "-qq", "postgresql"], env=env, capture_output=True
    )
    if (found := bin_dir()) is None:
        raise RuntimeError(f"could not install postgresql: {result.stderr.decode()[-500:]}")
    return found


def _as_owner(command: list[str]) -> list[str]:
    """The command as the cluster's owner: `postgres` when we are root, else ourselves."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def port_of(data: Path) -> int | None:
    """The port of the server running on `data`, from its postmaster.pid; None if none runs."""
    pid_file = data / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def url(data: Path, user: str = SUPERUSER) -> str | None:
    """The URL of the running cluster on `data` for `user`, or None if it is not running."""
    port = port_of(data)
    return None if port is None else f"postgresql://{user}@127.0.0.1:{port}/{DATABASE}"


def start(data: Path, port: int = DEFAULT_PORT) -> str:
    """Starts the cluster on `data` (made first if new) on 127.0.0.1:`port`; returns its URL."""
    if (running := url(data)) is not None:
        return running
    binaries = install()
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(data, owner.pw_uid, owner.pw_gid)
        data.chmod(0o700)
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data}"
    subprocess.run(
        _as_owner(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-o",
                options,
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    import psycopg

    with psycopg.connect(
        f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone():
            return url(data)
        conn.execute(f"create database {DATABASE}")
    return url(data)


def stop(data: Path) -> None:
    binaries = bin_dir()
    if binaries is not None and port_of(data) is not None:
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=True,
            capture_output=True,
        )


def main(argv: list[str] | None = None) -> int:
    from ingestion.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    data = (args.dir or settings.postgres_dir).resolve()
    if args.action == "start":
        start(data, args.port)
        published = settings.published_dir / "klimamonitor.duckdb"
        if args.dir is None and published.exists():  # what is published now, not only the next
            from publish.postgres import load

            loaded = load(published, url(data))
            print(
                f"publication {loaded.run_id[:8]}: "
                + (
                    "in PostgreSQL already"
                    if loaded.already_there
                    else f"{loaded.rows:,d} rows loaded"
                )
            )
    elif args.action == "stop":
        stop(data)
        print(f"PostgreSQL in {data}: stopped")
        return 0
    if url(data) is None:
        print(f"PostgreSQL in {data}: not running (make serve)")
        return 1
    print(f"PostgreSQL in {data}: running")
    print(f"  loads: {url(data)}")
    print(f"  BI:    {url(data, READER)}  (read-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
