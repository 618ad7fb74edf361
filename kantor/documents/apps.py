from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """PDF documents for customers: the proof of purchase and sale (DOC-1)."""

    name = "kantor.documents"
    label = "documents"
    verbose_name = "Kantor: documents"
