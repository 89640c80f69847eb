"""Russian formats of the portal. With localisation always on, a locale's formats win over the
DATE_FORMAT in settings, and Django's "ru" gives «22 октября 2026 г.» for a date and «22 Октябрь»
(nominative month) for a day in the admin's date hierarchy. The portal shows dates as ДД.ММ.ГГГГ
and a day without a year with the genitive month («22 октября», format character E)."""

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j E"
