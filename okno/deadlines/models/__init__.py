from okno.deadlines.models.calendar import Calendar, CalendarDay
from okno.deadlines.models.clock import AppealClock, ClockAlarm
from okno.deadlines.models.policy import DeadlinePolicy, PolicyClock

__all__ = [
    "AppealClock",
    "Calendar",
    "CalendarDay",
    "ClockAlarm",
    "DeadlinePolicy",
    "PolicyClock",
]
