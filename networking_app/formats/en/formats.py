# One way to write dates across the app: "Sat 21 Nov 2026", unambiguous for every reader.
DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, g:i A"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, g:i A"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "g:i A"
FIRST_DAY_OF_WEEK = 1  # Monday
