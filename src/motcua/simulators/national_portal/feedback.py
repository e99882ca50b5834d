"""Ratings and questions on the simulated national portal (DOMAIN-integration.md §7; field lists
UNCONFIRMED — the shapes are ours, in §1's style, the same as the adapter sends).

Through the Style A service envelope (sync.py `service`, so the session and the fault switch
apply exactly as to dossier sync):
- `DongBoDanhGia` {"data": [{MaHoSo, MaHoSoDonVi, MucDoHaiLong "1"|"2"|"3", DanhGiaChiTiet,
  NoiDung, NgayDanhGia, IdempotencyKey, …}]} — each rating stored once per `IdempotencyKey`
  (a repeat counted in `times_received` and acknowledged); a rating of a dossier the portal does
  not hold answers {"error_code": "2", "message": "Không tìm thấy hồ sơ …"};
- `LayDanhSachHoiDapGuiTuDVCQG` {"TuNgay", "DenNgay"} → {"result": [question, …]}: the seeded
  questions sent in that window (`NgayGui`, yyyyMMddHHmmss), oldest first;
- `DongBoKetQuaHoiDapGuiTuDVCQG` {"data": {MaCauHoi, NoiDungTraLoi, NguoiTraLoi,
  MaCoQuanTraLoi, NgayTraLoi, IdempotencyKey}} — stored once per key; an unknown question → "2".

Control (X-Sim-Token, `simulators.control`): `POST /sim/dvcqg/_hoidap` {"questions": [{MaCauHoi,
TieuDe, NoiDung, HoTen, Email, SoDienThoai, MaCoQuan, MaTTHC, NgayGui}, …]} seeds questions
(an id already seeded is replaced); `GET` shows questions, answers and ratings; `DELETE` empties
the three.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from motcua.simulators.control import control_allowed, control_refusal

from .models import SimAnswer, SimDossier, SimProgress, SimQuestion, SimRating

LEVELS = {"1", "2", "3"}
QUESTION_KEYS = {
    "MaCauHoi",
    "TieuDe",
    "NoiDung",
    "HoTen",
    "Email",
    "SoDienThoai",
    "MaCoQuan",
    "MaTTHC",
    "NgayGui",
}


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _key(row: dict[str, Any], header: str) -> str:
    key = row.get("IdempotencyKey") or header
    if not isinstance(key, str) or not key:
        raise Refused("1", "Thiếu IdempotencyKey")
    return key[:200]


def _held(code: str) -> bool:
    return (
        SimDossier.objects.filter(code=code).exists()
        or SimProgress.objects.filter(code=code, service="DongBoTrangThaiHoSo").exists()
    )


def apply_ratings(data: Any, header_key: str) -> None:
    if not isinstance(data, list) or not data:
        raise Refused("1", "data phải là một mảng đánh giá")
    for row in data:
        if not isinstance(row, dict) or not row.get("MaHoSo"):
            raise Refused("1", "Mỗi đánh giá cần MaHoSo")
        if str(row.get("MucDoHaiLong", "")) not in LEVELS:
            raise Refused("1", f"Hồ sơ {row['MaHoSo']}: MucDoHaiLong không hợp lệ")
        if not _held(str(row["MaHoSo"])):
            raise Refused("2", f"Không tìm thấy hồ sơ {row['MaHoSo']}")
    for row in data:
        key = _key(row, header_key if len(data) == 1 else "")
        try:
            with transaction.atomic():
                SimRating.objects.create(
                    key=key,
                    code=str(row["MaHoSo"]),
                    level=str(row["MucDoHaiLong"]),
                    data=row,
                )
        except IntegrityError:
            SimRating.objects.filter(key=key).update(times_received=F("times_received") + 1)


def questions_in(start: Any, end: Any) -> list[dict[str, Any]]:
    qs = SimQuestion.objects.all()
    if start:
        qs = qs.filter(sent_at__gte=str(start))
    if end:
        qs = qs.filter(sent_at__lte=str(end))
    return [q.data for q in qs.order_by("sent_at", "id")]


def apply_answer(data: Any, header_key: str) -> None:
    if not isinstance(data, dict) or not data.get("MaCauHoi") or not data.get("NoiDungTraLoi"):
        raise Refused("1", "data cần MaCauHoi và NoiDungTraLoi")
    question = str(data["MaCauHoi"])
    if not SimQuestion.objects.filter(question_id=question).exists():
        raise Refused("2", f"Không tìm thấy câu hỏi {question}")
    key = _key(data, header_key)
    try:
        with transaction.atomic():
            SimAnswer.objects.create(key=key, question_id=question, data=data)
    except IntegrityError:
        SimAnswer.objects.filter(key=key).update(times_received=F("times_received") + 1)


def seed(questions: Any) -> int:
    """Add or replace questions (the control call's body)."""
    if not isinstance(questions, list) or not questions or len(questions) > 1000:
        raise ValueError("questions: a list of 1…1000 objects")
    for q in questions:
        if not isinstance(q, dict) or set(q) - QUESTION_KEYS:
            raise ValueError(f"each question is an object with keys among {sorted(QUESTION_KEYS)}")
        if not q.get("MaCauHoi") or not q.get("NoiDung"):
            raise ValueError("MaCauHoi and NoiDung are required")
    now = timezone.localtime().strftime("%Y%m%d%H%M%S")
    with transaction.atomic():
        for q in questions:
            data = {**q, "MaCauHoi": str(q["MaCauHoi"]), "NgayGui": str(q.get("NgayGui") or now)}
            SimQuestion.objects.update_or_create(
                question_id=data["MaCauHoi"], defaults={"sent_at": data["NgayGui"], "data": data}
            )
    return len(questions)


def _state() -> dict[str, Any]:
    return {
        "questions": [q.data for q in SimQuestion.objects.order_by("id")],
        "answers": [
            {"key": a.key, "MaCauHoi": a.question_id, "times_received": a.times_received}
            for a in SimAnswer.objects.order_by("id")
        ],
        "ratings": [
            {"key": r.key, "MaHoSo": r.code, "MucDoHaiLong": r.level, "times": r.times_received}
            for r in SimRating.objects.order_by("id")
        ],
    }


def _json(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def control(request: HttpRequest) -> JsonResponse:
    """Seed questions (POST), show (GET) or empty (DELETE) the portal's Q&A and ratings."""
    from .views import _require_enabled

    _require_enabled()
    if not control_allowed(request):
        return control_refusal()
    if request.method == "POST":
        if len(request.body) > 2 * 1024 * 1024:
            return _json({"error_code": "413", "message": "Too large"}, 413)
        try:
            body = json.loads(request.body or b"{}")
            seed(body.get("questions") if isinstance(body, dict) else None)
        except (UnicodeDecodeError, ValueError) as exc:
            return _json({"error_code": "400", "message": str(exc)}, 400)
    elif request.method == "DELETE":
        SimQuestion.objects.all().delete()
        SimAnswer.objects.all().delete()
        SimRating.objects.all().delete()
    elif request.method != "GET":
        return _json({"error_code": "405", "message": "Method not allowed"}, 405)
    return _json(_state())
