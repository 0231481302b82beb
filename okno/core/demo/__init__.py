"""Demo data for ``manage.py demo``: two organisations in one installation, a bank
and a maker of climate equipment with its service network, with months of appeal
history created through the real services."""
