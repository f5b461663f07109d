"""The `opi` command line: serve, migrate, load demo data, manage tokens."""

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from api.cli_audit import add_audit_commands
from workflow.access.roles import TOKEN_ROLES
from workflow.core.settings import Settings, get_settings

Command = Callable[[argparse.Namespace], int]


def _refuse_wrong_database(command: str) -> bool:
    """Print one line and return True when the database is not at this version's schema."""
    from workflow.core import migrate

    settings = get_settings()
    problem = migrate.prepare_for_service(settings.database_url, settings.environment)
    if problem is not None:
        print(f"opi {command}: {problem}", file=sys.stderr, flush=True)
    return problem is not None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from workflow.ops.logs import logging_config
    from workflow.ops.metrics import MULTIPROC_ENV

    if _refuse_wrong_database("serve"):
        return 2
    settings = get_settings()
    if not settings.is_production:
        # Made now, not at the first signature, so serve and a worker started later agree.
        settings.signing_key, settings.checkpoint_key  # noqa: B018
        print(_development_notice(settings), flush=True)
    base = f"http://{args.host}:{args.port}"
    print(f"opi-workflow: API docs at {base}/docs", flush=True)
    print(f"opi-workflow: web pages at {base}/ui/ (sign in with a token)", flush=True)
    own_metrics_dir = None
    if args.workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # Each worker process counts into files here; /metrics adds them up. Set before any
        # worker imports prometheus_client, and new for each run (stale files would add up).
        own_metrics_dir = tempfile.mkdtemp(prefix="opi-metrics-")
        os.environ[MULTIPROC_ENV] = own_metrics_dir
    try:
        uvicorn.run(
            "api.app:create_served_api" if args.no_scheduler else "api.app:create_served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=logging_config(settings.log_format, args.log_level),
            log_level=args.log_level,
            access_log=False,
        )
    finally:
        if own_metrics_dir is not None:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
    return 0


def _development_notice(settings: Settings) -> str:
    """What `opi serve` says when it does not run with the production rules."""
    keys = (
        f"missing keys generated into {settings.resolved_key_file}"
        if settings.keys_generated
        else "keys from the environment"
    )
    demo = "demo tokens accepted" if settings.demo_tokens_accepted else "demo tokens refused"
    return (
        f"opi-workflow: running in {settings.environment} (OPI_ENVIRONMENT): {keys}, {demo}; "
        "set OPI_ENVIRONMENT=production to serve real users"
    )


def _worker(args: argparse.Namespace) -> int:
    from notifications.worker import run_worker

    if _refuse_wrong_database("worker"):
        return 2
    return run_worker(once=args.once)


def _backup(args: argparse.Namespace) -> int:
    from workflow.ops.backup import BackupRefused, backup_sqlite

    try:
        pages = backup_sqlite(get_settings().database_url, Path(args.path))
    except BackupRefused as exc:
        print(f"opi backup: {exc}", file=sys.stderr)
        return 2
    print(f"backup written to {args.path} ({pages} pages)")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from workflow.core import migrate

    migrate.upgrade(get_settings().database_url, args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from api.demo import load_demo
    from workflow.core import migrate

    settings = get_settings()
    if settings.environment == "production":
        print("refusing to load demo data (and its well-known tokens) in production")
        return 2
    migrate.upgrade(settings.database_url)
    result = load_demo()
    print("demo data " + ("loaded" if result.created else "already present"))
    print("demo tokens (Authorization: Bearer <token>):")
    for role, (token, who) in result.tokens.items():
        print(f"  {role:<8} {token:<24} {who}")
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from workflow.access.actor import SYSTEM_CLI
    from workflow.access.tokens import create_token
    from workflow.core.errors import WorkflowError
    from workflow.core.timeutil import utcnow
    from workflow.core.unit_of_work import work_scope

    expires_at = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
    try:
        with work_scope() as work:
            _, secret = create_token(
                work,
                SYSTEM_CLI,
                name=args.name,
                role=args.role,
                organisation_id=args.org,
                user_id=args.user,
                expires_at=expires_at,
            )
    except WorkflowError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(secret)
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from workflow.access.actor import SYSTEM_CLI
    from workflow.access.tokens import revoke_token
    from workflow.core.errors import WorkflowError
    from workflow.core.timeutil import utcnow
    from workflow.core.unit_of_work import work_scope

    try:
        with work_scope() as work:
            row = revoke_token(work, SYSTEM_CLI, args.token_id, utcnow())
            name = row.name
    except WorkflowError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"token {args.token_id} ({name}) revoked")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="opi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="do not run the reminder sweep and checkpoints here (run `opi worker` instead)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        choices=range(1, 65),
        metavar="N",
        help="worker processes (1-64); each runs the scheduler unless --no-scheduler",
    )
    serve.set_defaults(func=_serve)

    worker = sub.add_parser("worker", help="run the reminder sweep and checkpoints, no HTTP")
    worker.add_argument("--once", action="store_true", help="sweep once and exit")
    worker.set_defaults(func=_worker)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="migrate the database to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade)

    backup = sub.add_parser("backup", help="copy the SQLite database while the service runs")
    backup.add_argument("path", help="the new backup file (never overwritten)")
    backup.set_defaults(func=_backup)

    demo = sub.add_parser("demo", help="load demo data drawn from the Furesø OPI story")
    demo.set_defaults(func=_demo)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token", required=True)
    create = token.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role",
        choices=[role.value for role in TOKEN_ROLES],
        help="a service token's role (a personal token has its user's)",
    )
    create.add_argument("--org", type=int, default=None, help="organisation id")
    create.add_argument("--user", type=int, default=None, help="user id: a personal token")
    create.add_argument(
        "--expires-days", type=float, default=None, help="expire after this many days"
    )
    create.set_defaults(func=_token_create)
    revoke = token.add_parser("revoke", help="revoke a token at once (by its id)")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(func=_token_revoke)

    add_audit_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `opi` console script."""
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        get_settings()
    except ValidationError as exc:
        # One clear line instead of a traceback: what is wrong with the configuration.
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        print(f"opi: refusing to start: {problems}", file=sys.stderr)
        return 2
    return func(args)


if __name__ == "__main__":
    raise SystemExit(main())
