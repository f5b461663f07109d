"""`GET /metrics`: Prometheus metrics (`workflow/ops/metrics.py`).

Who may read them: a client on the loopback interface (a Prometheus or an agent on the same
host), or anyone presenting `Authorization: Bearer <OPI_METRICS_TOKEN>` when that is set.
Everyone else gets 404, as if there were no such page: route names and counts of refusals
say more about the service than a stranger needs to know.
"""

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.http.problems import ApiProblem
from workflow.core.db import get_engine
from workflow.core.settings import get_settings
from workflow.ops.metrics import exposition

router = APIRouter(tags=["health"])


def may_read_metrics(request: Request) -> bool:
    """Whether the caller is on loopback or shows the metrics token."""
    token = get_settings().metrics_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a Unix socket or a name: not known to be local
        return False


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Every metric in the Prometheus text format."""
    if not may_read_metrics(request):
        raise ApiProblem(404, "Not found.")
    body, content_type = await run_in_threadpool(exposition, get_engine())
    return Response(body, media_type=content_type)
