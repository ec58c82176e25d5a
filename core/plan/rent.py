"""Buy or rent: the hours of use after which owning the workstation costs less than renting the GPUs."""

from __future__ import annotations

from dataclasses import dataclass

from core.plan.prices import CloudPrice, PriceBook
from core.units import DAYS_PER_MONTH


@dataclass(frozen=True)
class BuyOrRent:
    cloud: CloudPrice
    cloud_krw_per_hour: float  # for as many GPUs as the workstation has
    power_krw_per_hour: float
    break_even_hours: float | None  # None when renting is never dearer than the electricity

    def break_even_months(self, hours_per_day: float) -> float | None:
        if self.break_even_hours is None or hours_per_day <= 0:
            return None
        return self.break_even_hours / hours_per_day / DAYS_PER_MONTH


def buy_or_rent(gpu_id: str, count: int, purchase_krw: float, power_w: float, krw_per_kwh: float,
                book: PriceBook) -> BuyOrRent | None:
    """Against the cheapest dated on-demand price for the same GPU; None when no cloud lists it."""
    offers = [c for c in book.cloud if c.gpu_id == gpu_id]
    rate = book.usd_krw
    if not offers or rate is None:
        return None
    cheapest = min(offers, key=lambda c: c.usd_per_hour / c.gpus_per_instance)
    cloud_per_hour = cheapest.usd_per_hour / cheapest.gpus_per_instance * count * rate.value
    power_per_hour = power_w / 1000 * krw_per_kwh
    saving = cloud_per_hour - power_per_hour
    return BuyOrRent(cheapest, cloud_per_hour, power_per_hour, purchase_krw / saving if saving > 0 else None)
