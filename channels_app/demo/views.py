"""The sandbox's buyer page (staff only, served only with DEMO on): what each fake store shows per
SKU next to our available figure, and a "buy 1" button per SKU per store."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from channels_app.demo.catalog import DEMO_SKUS
from channels_app.services.demo import DemoError, demo_buy, demo_store_quantities, demo_stores_linked
from inventory_app.models import SKU
from inventory_app.selectors.availability import sku_available_to_sell


@staff_member_required
def demo_page(request: HttpRequest) -> HttpResponse:
    """The demo SKUs with our available units and each fake store's quantity."""
    shown: dict[str, dict] = {}
    problems = []
    stores = demo_stores_linked()
    for store in stores:
        try:
            shown[store] = demo_store_quantities(store=store)
        except (DemoError, OSError, ValueError) as exc:
            shown[store] = {}
            problems.append(f"{store}: {exc}")
    skus = {sku.code: sku for sku in SKU.objects.filter(code__in=DEMO_SKUS)}
    available = sku_available_to_sell(sku_ids=[sku.pk for sku in skus.values()])
    rows = [
        {
            "code": code,
            "name": skus[code].name if code in skus else "",
            "ours": available.get(skus[code].pk, 0) if code in skus else None,
            "shown": [shown[store].get(code) for store in stores],
        }
        for code in DEMO_SKUS
    ]
    return render(request, "demo/index.html", {"rows": rows, "stores": stores, "problems": problems})


@staff_member_required
@require_POST
def demo_buy_view(request: HttpRequest) -> HttpResponse:
    """A buyer orders one unit of a SKU on one fake store."""
    store, sku = request.POST.get("store", ""), request.POST.get("sku", "")
    try:
        order_id = demo_buy(store=store, sku=sku, quantity=1)
    except (DemoError, OSError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{store}: order {order_id} for 1 x {sku}")
    return redirect("demo:index")
