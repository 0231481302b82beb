from okno.routing.models.appeal import AppealRouting, QueueRouting
from okno.routing.models.rule import RoutingRule

__all__ = ["AppealRouting", "QueueRouting", "RoutingRule"]
