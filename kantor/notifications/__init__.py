"""DOC-3: the durable outbox for e-mail (and later SMS) with retries."""
