"""DOC-1: documents in the customer panel, included at the site root."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path(
        "panel/documents/trades/<int:trade_id>/proof.pdf",
        views.trade_proof_pdf,
        name="trade_proof",
    ),
]
