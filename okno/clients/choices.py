from django.db import models
from django.utils.translation import gettext_lazy as _

from okno.lib.contacts import ContactKind as _Kind


class ClientKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class ContactKind(models.TextChoices):
    EMAIL = _Kind.EMAIL.value, _("E-mail")
    PHONE = _Kind.PHONE.value, _("Phone")
    TELEGRAM = _Kind.TELEGRAM.value, "Telegram"
    WHATSAPP = _Kind.WHATSAPP.value, "WhatsApp"
    VK = _Kind.VK.value, _("VK")
    MAX = _Kind.MAX.value, "MAX"
    OTHER = _Kind.OTHER.value, _("Other")


class Segment(models.TextChoices):
    RETAIL = "retail", _("Retail")
    SME = "sme", _("Small business")
    CORPORATE = "corporate", _("Corporate")
    PARTNER = "partner", _("Partner")
