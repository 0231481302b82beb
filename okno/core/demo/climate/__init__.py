"""Demo organisation two: a maker of climate equipment («ТермоЛайн») selling
through dealer networks and repairing through authorised service centres (АСЦ)."""

from __future__ import annotations

from okno.core.demo.climate.orders import DELIVERY, SPARE_PARTS
from okno.core.demo.climate.reference import CATEGORIES, CLIENT_ORGS, PRODUCTS, QUEUES, STAFF
from okno.core.demo.climate.repairs import AIR_CONDITIONERS, WATER_HEATERS
from okno.core.demo.climate.support import ADVICE_AND_FEEDBACK, SERVICE_CENTRES
from okno.core.demo.shapes import OrgDef

SIGN = "Сервисная служба «ТермоЛайн»"

# The order counts: scenarios are drawn from this tuple by the seeded random stream.
SCENARIOS = (*AIR_CONDITIONERS, *DELIVERY, *WATER_HEATERS, *SPARE_PARTS, *SERVICE_CENTRES, *ADVICE_AND_FEEDBACK)

CLIMATE = OrgDef(
    code="climate",
    name="ТермоЛайн",
    signature=SIGN,
    front_queue="clim-support",
    dispatcher="romanova",
    supervisor="belov",
    queues=QUEUES,
    categories=CATEGORIES,
    products=PRODUCTS,
    staff=STAFF,
    client_orgs=CLIENT_ORGS,
    persons=38,
    scenarios=SCENARIOS,
    later_tags=("на контроле", "проверка качества", "повторное", "срочно"),
    generic_notes=(
        "Связался с АСЦ, мастер будет в четверг.",
        "Запросил у покупателя фото шильдика, жду.",
        "Уточнил наличие на складе, ответ завтра.",
        "Покупатель просит перезвонить после 18:00.",
    ),
    generic_ask="Уточните, пожалуйста, модель и серийный номер изделия (они на шильдике) и пришлите фото чека "
    "или гарантийного талона.",
    reopen_texts=(
        "После ремонта через неделю всё повторилось: снова та же проблема. Прошу разобраться.",
        "Обещанная отгрузка так и не пришла. Номер отправления не отслеживается.",
        "С ответом не согласен, прошу рассмотреть повторно.",
    ),
    domain="termoline.example.com",
    weight=45,
)
