"""Demo data for ``manage.py demo``: two organisations in one installation, a bank
and a maker of climate equipment with its service network, with months of appeal
history created through the real services.

``builder`` is the entry point (``build_demo``). The organisations are described as
data (the shapes in ``shapes``) in the ``bank`` and ``climate`` packages: reference
data in ``reference``, the stories their clients' appeals tell in topic modules.
``people`` and ``files`` make up names, contacts and attachments.
"""
