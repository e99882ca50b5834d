"""Fee computation, in one place: what a dossier's applicant owes (phí, lệ phí).

From the catalog's `Fee` rows of the dossier's procedure version (catalog/models.py):
- a fee with a channel applies to dossiers of that channel only; without one, to all;
- a dossier submitted online pays the online amount when the catalog gives one, with its basis
  (the online-fee reductions, DOMAIN-legal.md §8: per procedure × channel, with a legal basis);
- a quantity per fee (copies, cases: the fee's `unit`) multiplies it, 1 by default;
- the exemption categories the official ticks (`ExemptionCategory`, with their legal basis)
  waive their percent of the kinds they cover; the largest applicable one counts per line;
- a fee whose amount the catalog does not give (the People's Council has not set it) cannot be
  charged: it is listed in `unpriced`, and a payment cannot be requested until it is set.

Whole đồng only (DOMAIN.md decision 12): a partial waiver rounds the amount due down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from motcua.catalog.constants import Channel
from motcua.catalog.models import Fee
from motcua.core.errors import InvalidInput
from motcua.dossiers.models import Dossier

from .models import ExemptionCategory

MAX_QUANTITY = 1000


@dataclass(frozen=True)
class FeeLine:
    fee_id: int
    kind: str
    name: str
    unit: str
    quantity: int
    unit_amount_vnd: int  # the amount charged per unit, after the online reduction
    list_amount_vnd: int  # the catalog's amount per unit before any reduction
    reduction_basis: str  # the online reduction's basis, when it applied
    exemption: str  # the category's key, when one waived part or all of it
    exemption_basis: str
    waived_vnd: int
    amount_vnd: int  # due for this line

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FeeComputation:
    lines: list[FeeLine]
    total_vnd: int
    unpriced: list[str] = field(default_factory=list)
    exemptions: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unpriced


def exemption_categories(keys: Sequence[str]) -> list[ExemptionCategory]:
    """The active categories named by `keys`; an unknown key is invalid input."""
    wanted = [k.strip() for k in keys if k and k.strip()]
    found = {c.key: c for c in ExemptionCategory.objects.filter(key__in=wanted, is_active=True)}
    unknown = [k for k in wanted if k not in found]
    if unknown:
        message = _("Unknown exemption: %(keys)s.") % {"keys": ", ".join(unknown)}
        raise InvalidInput(message, errors={"exemptions": [message]})
    return [found[k] for k in dict.fromkeys(wanted)]


def fees_compute(
    *,
    dossier: Dossier,
    exemptions: Sequence[str] = (),
    quantities: Mapping[int, int] | None = None,
) -> FeeComputation:
    quantities = quantities or {}
    categories = exemption_categories(exemptions)
    fees = list(Fee.objects.filter(version_id=dossier.procedure_version_id).order_by("order", "id"))
    known = {f.pk for f in fees}
    for fee_id, n in quantities.items():
        if fee_id not in known or not isinstance(n, int) or not 1 <= n <= MAX_QUANTITY:
            message = _("Give a quantity from 1 to %(n)d for a fee of this procedure.") % {
                "n": MAX_QUANTITY
            }
            raise InvalidInput(message, errors={"quantities": [message]})
    online = dossier.channel == Channel.ONLINE
    lines: list[FeeLine] = []
    unpriced: list[str] = []
    for fee in fees:
        if fee.channel and fee.channel != dossier.channel:
            continue
        if fee.amount_vnd is None and not (online and fee.online_amount_vnd is not None):
            unpriced.append(fee.name)
            continue
        listed = fee.amount_vnd if fee.amount_vnd is not None else fee.online_amount_vnd
        unit_amount, basis = int(listed), ""
        if online and fee.online_amount_vnd is not None and fee.online_amount_vnd < listed:
            unit_amount, basis = int(fee.online_amount_vnd), fee.online_reduction_basis
        quantity = quantities.get(fee.pk, 1)
        gross = unit_amount * quantity
        best: ExemptionCategory | None = None
        for c in categories:
            if (not c.kinds or fee.kind in c.kinds) and (best is None or c.percent > best.percent):
                best = c
        # Integer arithmetic: the waived part rounds up, so what is due rounds down.
        waived = 0 if best is None else -(-gross * best.percent // 100)
        lines.append(
            FeeLine(
                fee_id=fee.pk,
                kind=fee.kind,
                name=fee.name,
                unit=fee.unit,
                quantity=quantity,
                unit_amount_vnd=unit_amount,
                list_amount_vnd=int(listed),
                reduction_basis=basis,
                exemption=best.key if best else "",
                exemption_basis=best.basis if best else "",
                waived_vnd=waived,
                amount_vnd=gross - waived,
            )
        )
    return FeeComputation(
        lines=lines,
        total_vnd=sum(line.amount_vnd for line in lines),
        unpriced=unpriced,
        exemptions=[c.key for c in categories],
    )
