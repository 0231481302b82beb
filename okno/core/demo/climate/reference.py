"""ТермоЛайн's reference data: queues, categories, products, staff, dealers and their shops, service centres."""

from __future__ import annotations

from okno.accounts.choices import Role
from okno.core.demo.shapes import CategoryDef, ClientOrgDef, ProductDef, QueueDef, StaffDef

QUEUES = (
    QueueDef(
        "clim-claims",
        "Рекламации",
        "Warranty claims",
        "ТермоЛайн: претензии покупателей и дилеров, гарантийные случаи, возвраты.",
        10,
    ),
    QueueDef(
        "clim-support",
        "Сервисная поддержка",
        "Service support",
        "ТермоЛайн: горячая линия, чаты, отзывы с маркетплейсов, работа с сервисными центрами.",
        7,
    ),
    QueueDef(
        "clim-parts",
        "Запчасти",
        "Spare parts",
        "ТермоЛайн: заказы и наличие запчастей для АСЦ и покупателей.",
        14,
    ),
)

CATEGORIES = (
    CategoryDef(
        "clim-ac",
        "Кондиционеры",
        "Air conditioners",
        (
            ("clim-ac-no-cooling", "Не охлаждает", "Not cooling"),
            ("clim-ac-noise", "Шум и вибрация", "Noise and vibration"),
            ("clim-ac-leak", "Течёт вода", "Water leak"),
            ("clim-ac-error", "Ошибка на дисплее", "Error code"),
        ),
    ),
    CategoryDef(
        "clim-heat",
        "Водонагреватели",
        "Water heaters",
        (
            ("clim-heat-no-heat", "Не греет", "Not heating"),
            ("clim-heat-leak", "Протечка бака", "Tank leak"),
        ),
    ),
    CategoryDef(
        "clim-vent",
        "Вентиляция",
        "Ventilation",
        (("clim-vent-breezer", "Бризеры", "Breezers"),),
    ),
    CategoryDef(
        "clim-delivery",
        "Доставка и комплектность",
        "Delivery and completeness",
        (
            ("clim-delivery-damage", "Повреждение при транспортировке", "Damage in transit"),
            ("clim-delivery-shortage", "Недокомплект", "Missing parts"),
        ),
    ),
    CategoryDef(
        "clim-install",
        "Монтаж",
        "Installation",
        (
            ("clim-install-quality", "Качество монтажа", "Installation quality"),
            ("clim-install-advice", "Подбор и монтаж: консультации", "Selection and installation advice"),
        ),
    ),
    CategoryDef(
        "clim-warranty",
        "Гарантия и возврат",
        "Warranty and returns",
        (
            ("clim-warranty-refund", "Возврат денег", "Refund"),
            ("clim-warranty-terms", "Гарантийные условия", "Warranty terms"),
        ),
    ),
    CategoryDef(
        "clim-parts",
        "Запчасти",
        "Spare parts",
        (
            ("clim-parts-order", "Заказ запчастей", "Parts order"),
            ("clim-parts-stock", "Наличие на складе", "Stock check"),
        ),
    ),
    CategoryDef(
        "clim-asc",
        "Сервисные центры",
        "Service centres",
        (
            ("clim-asc-acts", "Акты выполненных работ", "Acts of completed work"),
            ("clim-asc-payment", "Оплата работ АСЦ", "Payment to service centres"),
        ),
    ),
    CategoryDef(
        "clim-feedback",
        "Отзывы",
        "Feedback",
        (
            ("clim-feedback-marketplace", "Отзывы с маркетплейсов", "Marketplace reviews"),
            ("clim-feedback-thanks", "Благодарности", "Thanks"),
        ),
    ),
)

AC = ("clim-arctic-07", "clim-arctic-09", "clim-arctic-12", "clim-nordic-18")
HEATERS = ("clim-aqua-50", "clim-aqua-80")
PARTS = ("clim-part-board", "clim-part-remote", "clim-part-pump", "clim-part-fan", "clim-part-heater")

PRODUCTS = (
    ProductDef("clim-grp-ac", "Кондиционеры ТермоЛайн", "TermoLine air conditioners"),
    ProductDef(
        "clim-arctic-07",
        "Сплит-система ТермоЛайн Arctic TL-07HR",
        "TermoLine Arctic TL-07HR split system",
        "clim-grp-ac",
        "Arctic TL-07HR",
    ),
    ProductDef(
        "clim-arctic-09",
        "Сплит-система ТермоЛайн Arctic TL-09HR",
        "TermoLine Arctic TL-09HR split system",
        "clim-grp-ac",
        "Arctic TL-09HR",
    ),
    ProductDef(
        "clim-arctic-12",
        "Сплит-система ТермоЛайн Arctic TL-12HR",
        "TermoLine Arctic TL-12HR split system",
        "clim-grp-ac",
        "Arctic TL-12HR",
    ),
    ProductDef(
        "clim-nordic-18",
        "Инверторная сплит-система ТермоЛайн Nordic TL-18INV",
        "TermoLine Nordic TL-18INV inverter split system",
        "clim-grp-ac",
        "Nordic TL-18INV",
    ),
    ProductDef("clim-grp-heat", "Водонагреватели ТермоЛайн", "TermoLine water heaters"),
    ProductDef(
        "clim-aqua-50",
        "Водонагреватель ТермоЛайн Aqua 50V",
        "TermoLine Aqua 50V water heater",
        "clim-grp-heat",
        "Aqua 50V",
    ),
    ProductDef(
        "clim-aqua-80",
        "Водонагреватель ТермоЛайн Aqua 80V",
        "TermoLine Aqua 80V water heater",
        "clim-grp-heat",
        "Aqua 80V",
    ),
    ProductDef("clim-grp-vent", "Вентиляция ТермоЛайн", "TermoLine ventilation"),
    ProductDef(
        "clim-breeze-150",
        "Бризер ТермоЛайн Breeze 150",
        "TermoLine Breeze 150 breezer",
        "clim-grp-vent",
        "Breeze 150",
    ),
    ProductDef("clim-grp-parts", "Запчасти", "Spare parts"),
    ProductDef(
        "clim-part-board",
        "Плата управления внутреннего блока",
        "Indoor unit control board",
        "clim-grp-parts",
        "плата управления внутреннего блока",
    ),
    ProductDef("clim-part-remote", "Пульт ДУ TL-R05", "TL-R05 remote control", "clim-grp-parts", "пульт ДУ TL-R05"),
    ProductDef("clim-part-pump", "Дренажная помпа", "Condensate pump", "clim-grp-parts", "дренажная помпа"),
    ProductDef(
        "clim-part-fan",
        "Мотор вентилятора наружного блока",
        "Outdoor unit fan motor",
        "clim-grp-parts",
        "мотор вентилятора наружного блока",
    ),
    ProductDef(
        "clim-part-heater",
        "ТЭН 1,5 кВт для Aqua",
        "1.5 kW heating element for Aqua",
        "clim-grp-parts",
        "ТЭН 1,5 кВт",
    ),
)

STAFF = (
    StaffDef(
        "belov", Role.SUPERVISOR, "Белов", "Константин", "Евгеньевич", ("clim-claims", "clim-support", "clim-parts")
    ),
    StaffDef("specialist", Role.SPECIALIST, "Ершов", "Степан", "Андреевич", ("clim-claims", "clim-support")),
    StaffDef("khabibullin", Role.SPECIALIST, "Хабибуллин", "Ринат", "Маратович", ("clim-claims",)),
    StaffDef("tikhonov", Role.AGENT, "Тихонов", "Денис", "Олегович", ("clim-claims", "clim-support")),
    StaffDef("nikitina", Role.AGENT, "Никитина", "Мария", "Александровна", ("clim-support",)),
    StaffDef("gusev", Role.AGENT, "Гусев", "Артём", "Сергеевич", ("clim-support", "clim-parts")),
    StaffDef("kovaleva", Role.SPECIALIST, "Ковалёва", "Ирина", "Владимировна", ("clim-parts",)),
    StaffDef("romanova", Role.DISPATCHER, "Романова", "Юлия", "Андреевна"),
)

CLIENT_ORGS = (
    ClientOrgDef(
        "ООО «КлиматМаркет»",
        "dealer",
        "Москва",
        "7715",
        "partner",
        (
            ("Магазин «КлиматМаркет» на Ленинском проспекте", "Москва"),
            ("Магазин «КлиматМаркет» в ТЦ «Каширская Плаза»", "Москва"),
            ("Магазин «КлиматМаркет» в Химках", "Химки"),
        ),
    ),
    ClientOrgDef(
        "ООО «Техносфера Плюс»",
        "dealer",
        "Казань",
        "1657",
        "partner",
        (
            ("Магазин «Техносфера» на проспекте Победы", "Казань"),
            ("Магазин «Техносфера» в Набережных Челнах", "Набережные Челны"),
        ),
    ),
    ClientOrgDef(
        "АО «Дом и Климат»",
        "dealer",
        "Екатеринбург",
        "6671",
        "partner",
        (
            ("Гипермаркет «Дом и Климат» на Щербакова", "Екатеринбург"),
            ("Магазин «Дом и Климат» в Тюмени", "Тюмень"),
            ("Магазин «Дом и Климат» в Челябинске", "Челябинск"),
        ),
    ),
    ClientOrgDef(
        "ООО «Южный холод»",
        "dealer",
        "Краснодар",
        "2311",
        "partner",
        (("Салон «Южный холод» на Красной", "Краснодар"), ("Салон «Южный холод» в Сочи", "Сочи")),
    ),
    ClientOrgDef("ООО «Холод-Сервис»", "asc", "Казань", "1656", "partner"),
    ClientOrgDef("ООО «Климат-Мастер»", "asc", "Екатеринбург", "6659", "partner"),
    ClientOrgDef("ИП Гарипов Ринат Рустемович", "asc", "Уфа", "0276", "partner", sole_trader=True),
    ClientOrgDef("ООО «Полярис Сервис»", "asc", "Новосибирск", "5405", "partner"),
    ClientOrgDef("ООО «ТехноКлимат-Сервис»", "asc", "Краснодар", "2309", "partner"),
    ClientOrgDef("ООО «Северный ветер»", "asc", "Санкт-Петербург", "7804", "partner"),
    ClientOrgDef("ООО «Сервис-Холод»", "asc", "Самара", "6317", "partner"),
    ClientOrgDef("ООО «Климатсервис-Центр»", "asc", "Москва", "7722", "partner"),
)
