"""Talking to mail servers (IMAP in, SMTP out), Django-free: the intake and outbox
services decide what to do with what these fetch and send."""
