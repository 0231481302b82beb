"""The e-mail channel: mailboxes read over IMAP, raw first, parsed and registered or
threaded; acknowledgements and replies leave by SMTP through an outbox."""
