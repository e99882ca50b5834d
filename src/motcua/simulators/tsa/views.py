"""A time-stamping authority (RFC 3161 over HTTP, RFC 3161 §3.4), simulated, under /sim/tsa/.

`POST /sim/tsa/` with `Content-Type: application/timestamp-query` and a DER TimeStampReq →
`200 application/timestamp-reply` with a DER TimeStampResp, status "granted", the token signed
by the simulator's TSA certificate (signing.pki.local_tsa: the local test PKI, extended key
usage timeStamping) with the issuing CA's certificate embedded. The token is built by pyHanko's
own test TSA (`DummyTimeStamper`). Another media type → 415; an unreadable request → 400 with a
TimeStampResp of status "rejection" (badDataFormat), as a TSA answers.

`_faults`: see motcua.simulators.switch (outage, errors, latency).
"""

from __future__ import annotations

from asn1crypto import core, tsp
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.signing import pki

from ..switch import FaultSwitch, enabled

switch = FaultSwitch()
QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"
MAX_QUERY_BYTES = 16 * 1024


def _reply(der: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(der, status=status, content_type=REPLY)


def _rejection(failure: str) -> bytes:
    """TimeStampResp ::= SEQUENCE { status PKIStatusInfo } (no token), DER. Built by hand:
    asn1crypto will not dump a TimeStampResp without its token."""
    status = tsp.PKIStatusInfo(
        {"status": tsp.PKIStatus("rejection"), "fail_info": tsp.PKIFailureInfo({failure})}
    ).dump()
    return core.Sequence.load(b"\x30" + bytes([len(status)]) + status).dump()


def stamper() -> DummyTimeStamper:
    credential = pki.local_tsa()
    return DummyTimeStamper(
        tsa_cert=credential.asn1_cert(),
        tsa_key=credential.asn1_key(),
        certs_to_embed=SimpleCertificateStore.from_certs(credential.asn1_chain()[:1]),
    )


@csrf_exempt
@require_POST
def timestamp(request: HttpRequest) -> HttpResponse:
    enabled()
    if (fault := switch.check()) is not None:
        return fault
    if request.content_type != QUERY:
        return HttpResponse(f"Send {QUERY}.", status=415, content_type="text/plain")
    body = request.body
    try:
        if len(body) > MAX_QUERY_BYTES:
            raise ValueError("too large")
        query = tsp.TimeStampReq.load(body)
        query.native  # parse it all now: asn1crypto parses lazily  # noqa: B018
    except (ValueError, TypeError):
        return _reply(_rejection("bad_data_format"), status=400)
    return _reply(stamper().request_tsa_response(query).dump())


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)
