"""DOC-1: documents as PDFs (proofs of purchase and sale; later invoices, statements)."""
