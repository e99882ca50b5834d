"""The national portal's side of intake (DOMAIN-integration.md §9.5): a pusher and a pull queue.

Pusher (§9.2): `push()` POSTs dossiers one per request to the province's intake URL
(settings.SIM_INTAKE_TARGET_URL), signed as the province expects (HMAC-SHA256 of
`<timestamp>.<body>` under the shared secret, headers X-Signature-Timestamp / X-Signature),
records each reply and retries, with a short backoff, anything but error_code 0 or 1 (a
transport error, a 5xx, a -1) up to `attempts` times. `dossier_payload()` makes realistic
dossiers: procedure codes of the demo catalog offered online, the demo province's communes,
Vietnamese names, a small PDF inline. Run it with `manage.py sim_push`.

Pull queue (§9.4, the DVC liên thông shape): packages queued here (`queue_add`, or
POST /sim/dvcqg/_intake/queue {"count": n}) are served by
  POST lienthong/api/token {userName, password} → {token, refreshToken, refreshTokenExpiryTime}
  GET  lienthong/api/lienthongdvclt/hosolienthong → {data: [{id, maDonVi, maTTHC, module,
       maHoSo, ngayTiepNhan, techId}]} — the packages not yet marked received
  GET  lienthong/api/lienthongdvclt/hosolienthong/<id> → {data: {…, data: "<hoTich>…</hoTich>",
       fileDinhKem: [{id, loaiGiayTo, tenGiayTo, tenTepDinhKem, huyGiayTo, duLieuTepDinhKem}]}}
  PUT  lienthong/api/lienthongdvclt/capnhatdanhan {maHoSo, daNhan: true} →
       {"message": "Cập nhật thành công"}
with a bearer token. GET /sim/dvcqg/_intake/state shows the queue, the acknowledgements and the
pusher's replies. State lives in this process's memory behind a lock (like the failure switch).

The simulator plays the remote system, so it holds its own HTTP client (httpx) here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import httpx
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from motcua.simulators.control import control_allowed, control_refusal

from .views import _require_enabled


def minimal_pdf(pages: int = 1, note: str = "") -> bytes:
    """A well-formed PDF of blank A4 pages (cross-reference table included), as the intake's
    content checks (documents.inspection) read it; `note` makes files of different bytes."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids["
        + b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
        + b"]/Count %d>>" % pages,
        *[b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>" for _ in range(pages)],
    ]
    out = bytearray(b"%PDF-1.4\n%" + note.encode()[:60] + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# A one-page PDF (what a scanned application looks like to the content checks).
SAMPLE_PDF = minimal_pdf()
# Demo catalog procedures offered online, with the component a citizen attaches.
ONLINE_PROCEDURES = [
    ("1.001193", "Tờ khai đăng ký khai sinh"),
    ("1.000894", "Tờ khai đăng ký kết hôn"),
    ("1.004194", "Tờ khai thay đổi thông tin cư trú"),
    ("2.001610", "Giấy đề nghị đăng ký doanh nghiệp tư nhân"),
    ("2.000635", "Tờ khai yêu cầu cấp bản sao trích lục hộ tịch"),
    ("1.115783", "Đơn đăng ký biến động đất đai"),
]
# The demo province's communes that have their People's Committee set up.
COMMUNES = [(28261, "Phường Mỹ Tho"), (29869, "Phường Cao Lãnh"), (30037, "Xã Tháp Mười")]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Quốc", "Hoàng", "Thu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Mai", "Phúc", "Tâm"]
PROVINCE = 82


def national_code(n: int, day: dt.date | None = None) -> str:
    """A national dossier code, as the portal numbers them (the shape is UNCONFIRMED)."""
    day = day or dt.date.today()
    return f"G22.82-{day:%y%m%d}-{n:06d}"


def _person(rng: random.Random) -> dict[str, Any]:
    commune, commune_name = rng.choice(COMMUNES)
    return {
        "name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "id_number": f"0871{rng.randrange(10**8):08d}",
        "born": f"{rng.randrange(1960, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}",
        "phone": f"09{rng.randrange(10**8):08d}",
        "commune": commune,
        "commune_name": commune_name,
        "street": f"Số {rng.randrange(1, 300)}, ấp {rng.randrange(1, 9)}",
    }


def dossier_payload(
    n: int, *, rng: random.Random | None = None, procedure: str | None = None
) -> dict[str, Any]:
    """The §9.2 object of the `n`-th generated dossier."""
    rng = rng or random.Random(n)  # noqa: S311 — reproducible test data, not secrets
    code, component = (
        next(p for p in ONLINE_PROCEDURES if p[0] == procedure)
        if procedure
        else rng.choice(ONLINE_PROCEDURES)
    )
    p = _person(rng)
    return {
        "MaHoSo": national_code(n),
        "MaTTHC": code,
        "NgayNopHoSo": dt.datetime.now().strftime("%Y%m%d%H%M%S"),
        "LoaiDoiTuong": "1",
        "ChuHoSo": p["name"],
        "SoDinhDanh": p["id_number"],
        "NgaySinh": p["born"],
        "DiaChi": {"MaTinh": PROVINCE, "MaXa": p["commune"], "DiaChiChiTiet": p["street"]},
        "DienThoai": p["phone"],
        "Email": f"congdan{n}@example.vn",
        "MaDoiTuong": secrets.token_hex(8),
        "DuLieuBieuMau": {"NoiDungYeuCau": f"Đề nghị giải quyết thủ tục {code}"},
        "TaiLieuNop": [
            {
                "TenTepDinhKem": f"to-khai-{n}.pdf",
                "Base64": base64.b64encode(SAMPLE_PDF).decode(),
                "MaThanhPhanHoSo": "TP1",
                "TenThanhPhanHoSo": component,
            }
        ],
    }


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The province's signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Signature-Timestamp": ts,
        "X-Signature": f"sha256={digest}",
    }


# ---------------------------------------------------------------------------------------------
# Pusher

_lock = threading.Lock()
_replies: list[dict[str, Any]] = []


@dataclass
class PushReport:
    sent: int = 0
    attempts: int = 0
    by_code: dict[int, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)


def push_one(
    http: httpx.Client,
    url: str,
    payload: dict[str, Any],
    *,
    secret: str,
    attempts: int = 3,
    backoff: float = 0.2,
) -> tuple[int | None, dict[str, Any], int]:
    """Deliver one dossier; retry anything but error_code 0/1. Returns (error_code, reply,
    attempts made)."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    reply: dict[str, Any] = {}
    code: int | None = None
    for attempt in range(1, attempts + 1):
        try:
            response = http.post(url, content=body, headers=signed_headers(secret, body))
            reply = response.json() if response.content else {}
            reply["http_status"] = response.status_code
            code = reply.get("error_code")
        except (httpx.HTTPError, ValueError) as exc:
            reply, code = {"error": exc.__class__.__name__}, None
        with _lock:
            _replies.append({"MaHoSo": payload.get("MaHoSo"), "attempt": attempt, **reply})
        if code in (0, 1):
            return code, reply, attempt
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1) * (0.5 + random.random()))  # noqa: S311
    return code, reply, attempts


def push(
    payloads: list[dict[str, Any]],
    *,
    url: str | None = None,
    secret: str | None = None,
    attempts: int = 3,
    backoff: float = 0.2,
) -> PushReport:
    """Deliver `payloads` in order; the report counts the final error codes."""
    url = url or settings.SIM_INTAKE_TARGET_URL
    secret = settings.NATIONAL_PORTAL_INTAKE_SECRET if secret is None else secret
    report = PushReport()
    with httpx.Client(timeout=30.0) as http:
        for payload in payloads:
            code, reply, made = push_one(
                http, url, payload, secret=secret, attempts=attempts, backoff=backoff
            )
            report.sent += 1
            report.attempts += made
            key = code if isinstance(code, int) else -99
            report.by_code[key] = report.by_code.get(key, 0) + 1
            if code not in (0, 1):
                report.failures.append({"MaHoSo": payload.get("MaHoSo"), **reply})
    return report


def replies() -> list[dict[str, Any]]:
    with _lock:
        return list(_replies)


# ---------------------------------------------------------------------------------------------
# Pull queue (§9.4)

_queue: dict[str, dict[str, Any]] = {}  # id → package
_received: dict[str, int] = {}  # maHoSo → acknowledgements
_tokens: set[str] = set()


def package(n: int, *, rng: random.Random | None = None, death: bool = False) -> dict[str, Any]:
    """A DVC liên thông birth (KS) or death (KT) registration package, detail shape."""
    rng = rng or random.Random(n)  # noqa: S311 — reproducible test data, not secrets
    p = _person(rng)
    child = f"{p['name'].split()[0]} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    if death:
        module, procedure = "KT", "1.000656"
        fields = {"nktHoTen": rng.choice(FAMILY) + " Văn Lộc", "nktNgayChet": "20260301"}
    else:
        module, procedure = "KS", "1.001193"
        fields = {"nksHoTen": child, "nksNgaySinh": "20260225", "nksGioiTinh": "1"}
    requester = {
        "nycHoTen": p["name"],
        "nycSoDinhDanh": p["id_number"],
        "nycNgaySinh": p["born"],
        "nycDienThoai": p["phone"],
        "nycEmail": f"lienthong{n}@example.vn",
        "nycDiaChi": f"{p['street']}, {p['commune_name']}",
    }
    xml = "<hoTich>" + "".join(
        f"<{k}>{escape(v)}</{k}>" for k, v in {**fields, **requester}.items()
    )
    xml += "</hoTich>"
    return {
        "id": f"{n:08d}-{secrets.token_hex(4)}",
        "maDonVi": p["commune"],
        "maTTHC": procedure,
        "module": module,
        "maHoSo": f"LT.82-{dt.date.today():%y%m%d}-{n:06d}",
        "ngayTiepNhan": dt.datetime.now().strftime("%Y%m%d%H%M%S"),
        "techId": secrets.token_hex(8),
        "data": xml,
        "fileDinhKem": [
            {
                "id": 1,
                "loaiGiayTo": "GCS",
                "tenGiayTo": "Giấy chứng sinh" if not death else "Giấy báo tử",
                "tenTepDinhKem": f"giay-to-{n}.pdf",
                "huyGiayTo": 0,
                "duLieuTepDinhKem": base64.b64encode(SAMPLE_PDF).decode(),
            }
        ],
    }


def queue_add(packages: list[dict[str, Any]]) -> None:
    with _lock:
        for p in packages:
            _queue[p["id"]] = {**p, "_delivered": False}


def queue_reset() -> None:
    with _lock:
        _queue.clear()
        _received.clear()
        _tokens.clear()
        _replies.clear()


def state() -> dict[str, Any]:
    with _lock:
        return {
            "queued": len(_queue),
            "undelivered": sum(1 for p in _queue.values() if not p["_delivered"]),
            "acknowledgements": dict(_received),
            "replies": len(_replies),
        }


def _answer(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _authorized(request: HttpRequest) -> bool:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    with _lock:
        return token in _tokens


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
def pull_token(request: HttpRequest) -> JsonResponse:
    _require_enabled()
    if request.method != "POST":
        return _answer({"message": "POST only"}, 405)
    body = _json_body(request) or {}
    if (
        body.get("userName") != settings.NATIONAL_PORTAL_INTAKE_PULL_USERNAME
        or body.get("password") != settings.NATIONAL_PORTAL_INTAKE_PULL_PASSWORD
        or not settings.NATIONAL_PORTAL_INTAKE_PULL_PASSWORD
    ):
        return _answer({"message": "Sai tên đăng nhập hoặc mật khẩu"}, 401)
    token = secrets.token_urlsafe(24)
    with _lock:
        _tokens.add(token)
    expiry = (dt.datetime.now() + dt.timedelta(hours=1)).isoformat(timespec="seconds")
    return _answer(
        {
            "token": token,
            "refreshToken": secrets.token_urlsafe(24),
            "refreshTokenExpiryTime": expiry,
        }
    )


LIST_FIELDS = ("id", "maDonVi", "maTTHC", "module", "maHoSo", "ngayTiepNhan", "techId")


@csrf_exempt
def pull_list(request: HttpRequest) -> JsonResponse:
    _require_enabled()
    if not _authorized(request):
        return _answer({"message": "Unauthorized"}, 401)
    with _lock:
        rows = [{k: p[k] for k in LIST_FIELDS} for p in _queue.values() if not p["_delivered"]]
    return _answer({"data": rows})


@csrf_exempt
def pull_detail(request: HttpRequest, package_id: str) -> JsonResponse:
    _require_enabled()
    if not _authorized(request):
        return _answer({"message": "Unauthorized"}, 401)
    with _lock:
        p = _queue.get(package_id)
        detail = {k: v for k, v in p.items() if not k.startswith("_")} if p else None
    if detail is None:
        return _answer({"message": "Không tìm thấy hồ sơ"}, 404)
    detail.pop("id")
    return _answer({"data": detail})


@csrf_exempt
def pull_mark_received(request: HttpRequest) -> JsonResponse:
    _require_enabled()
    if request.method != "PUT":
        return _answer({"message": "PUT only"}, 405)
    if not _authorized(request):
        return _answer({"message": "Unauthorized"}, 401)
    body = _json_body(request) or {}
    code = body.get("maHoSo")
    with _lock:
        found = [p for p in _queue.values() if p["maHoSo"] == code]
        if not found or body.get("daNhan") is not True:
            return _answer({"message": "Không tìm thấy hồ sơ"}, 404)
        for p in found:
            p["_delivered"] = True
        _received[code] = _received.get(code, 0) + 1
    return _answer({"message": "Cập nhật thành công"})


@csrf_exempt
def control_queue(request: HttpRequest) -> JsonResponse:
    """POST {"count": n, "start": k} queues n generated packages; DELETE empties everything;
    GET shows the state. Needs the X-Sim-Token header (`simulators.control`)."""
    _require_enabled()
    if not control_allowed(request):
        return control_refusal()
    if request.method == "POST":
        body = _json_body(request) or {}
        count, start = body.get("count", 1), body.get("start", 1)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (count, start)) or not (
            0 < count <= 1000
        ):
            return _answer({"message": "count: 1…1000"}, 400)
        queue_add([package(start + i, death=(start + i) % 5 == 0) for i in range(count)])
    elif request.method == "DELETE":
        queue_reset()
    return _answer(state())
