"""DOC-1: the customer downloads the proof of any of their trades from the panel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from kantor.market.models import Trade

from .trade_proof import CONTENT_TYPE, proof_filename, render_trade_proof, trade_proof


@login_required
def trade_proof_pdf(request: HttpRequest, trade_id: int) -> HttpResponse:
    """The proof of the signed-in customer's side of a trade, in the panel's language.

    404 for a trade that is not theirs (nobody learns that it exists).
    """
    customer = getattr(request.user, "customer", None)
    if customer is None:
        raise Http404
    trade = (
        Trade.objects.select_related("maker", "taker")
        .filter(Q(maker__customer=customer) | Q(taker__customer=customer), pk=trade_id)
        .first()
    )
    if trade is None:
        raise Http404
    proof = trade_proof(trade, customer)
    lang = translation.get_language()
    response = HttpResponse(render_trade_proof(proof, lang), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{proof_filename(proof, lang)}"'
    response["Cache-Control"] = "private, no-store"
    return response
