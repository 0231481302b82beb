"""Server push, one small piece every live page uses.

A service calls :func:`publish` inside its transaction; the message reaches
browsers only if the transaction commits (the database feed is written in it,
PostgreSQL's NOTIFY is delivered at commit). Every web process runs a hub that
reads the feed and hands each message to the Server-Sent-Events connections whose
user may see it. Pages subscribe with htmx's SSE extension
(``hx-trigger="sse:<name>"``) and re-fetch their own fragment, so what they show
always passes the normal permission checks.
"""

from okno.live.publishing import envelope, publish, publish_many

__all__ = ["envelope", "publish", "publish_many"]
