"""`opi audit verify` and `opi audit checkpoint`: the audit log from the command line.

Exit codes: 0 the log verifies (and a checkpoint was written or was not needed); 1 the log
does not verify (nothing is signed); 2 the command could not run (no database, say).
"""

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_BROKEN, EXIT_ERROR = 0, 1, 2


def add_audit_commands(sub: Any) -> None:
    """Register the `audit` subcommands on the `opi` parser's subparsers."""
    audit = sub.add_parser("audit", help="verify and checkpoint the audit log")
    commands = audit.add_subparsers(dest="audit", required=True)
    verify = commands.add_parser(
        "verify", help="recompute every chain; exit 1 when the log does not verify"
    )
    verify.add_argument("--case", type=int, default=None, help="verify only this case's chain")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(func=audit_verify)
    checkpoint = commands.add_parser(
        "checkpoint", help="verify the log and write a signed checkpoint of every chain's head"
    )
    checkpoint.add_argument("--json", action="store_true", help="print the outcome as JSON")
    checkpoint.set_defaults(func=audit_checkpoint)


def audit_verify(args: argparse.Namespace) -> int:
    """Verify the log and print the report."""
    from workflow.audit.verify import verify_log
    from workflow.core.db import get_engine
    from workflow.core.settings import get_settings

    try:
        report = verify_log(get_engine(), get_settings().checkpoint_key, case_id=args.case)
    except Exception as exc:  # the database is unreachable or not migrated
        print(f"error: cannot verify the audit log: {exc}", file=sys.stderr)
        return EXIT_ERROR
    result = report.as_dict()
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_report(result)
    return EXIT_OK if report.ok else EXIT_BROKEN


def _print_report(result: dict[str, Any]) -> None:
    verdict = "OK" if result["ok"] else "BROKEN"
    print(
        f"audit log {verdict}: {result['events_checked']} events in "
        f"{result['chains_checked']} chains ({result['cases_checked']} cases) checked"
    )
    checkpoint = result["checkpoint"]
    if checkpoint:
        print(
            f"compared with checkpoint {checkpoint['id']} of {checkpoint['at']} "
            f"({checkpoint['chains']} chains, {checkpoint['events']} events)"
        )
    else:
        print("no valid checkpoint to compare with")
    for invalid in result["invalid_checkpoints"]:
        print(f"invalid checkpoint: {invalid['detail']}", file=sys.stderr)
    broken = result["first_broken"]
    if broken:
        where = broken["chain"] or f"checkpoint {broken['checkpoint_id']}"
        seq = f" seq {broken['seq']}" if broken["seq"] is not None else ""
        print(f"first broken: {where}{seq}: {broken['problem']}: {broken['detail']}")
        print(f"{result['broken_chains']} chain(s) broken", file=sys.stderr)


def audit_checkpoint(args: argparse.Namespace) -> int:
    """Verify the log and write a signed checkpoint (as the system checkpoint actor)."""
    from workflow.access.actor import SYSTEM_CHECKPOINT
    from workflow.audit.verify import verify_and_checkpoint
    from workflow.core.db import get_engine
    from workflow.core.settings import get_settings

    try:
        outcome = verify_and_checkpoint(
            get_engine(), get_settings().checkpoint_key, SYSTEM_CHECKPOINT
        )
    except Exception as exc:
        print(f"error: cannot write a checkpoint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    checkpoint = None
    if outcome.checkpoint is not None:
        # The signature too, so a copy kept outside the database can be compared later.
        info = outcome.checkpoint
        checkpoint = {**info.public(), "digest": info.digest, "mac": info.mac}
    if args.json:
        print(
            json.dumps(
                {
                    "created": outcome.created,
                    "checkpoint": checkpoint,
                    "report": outcome.report.as_dict(),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    elif outcome.refused:
        _print_report(outcome.report.as_dict())
        print("no checkpoint written: the log does not verify", file=sys.stderr)
    elif checkpoint is not None:
        state = "written" if outcome.created else "unchanged since"
        print(
            f"checkpoint {state} {checkpoint['id']} at {checkpoint['at']}: "
            f"{checkpoint['chains']} chains, {checkpoint['events']} events"
        )
    if not args.json and not outcome.refused:
        for invalid in outcome.report.invalid_checkpoints:
            print(f"warning: invalid checkpoint: {invalid.detail}", file=sys.stderr)
    return EXIT_BROKEN if outcome.refused else EXIT_OK
