# The English layout ("sáb 21 Nov 2026, 6:00 p. m."), so that dates written with a named format
# and those written with a literal one in a template ("D j M", "g:i A") read alike on a page;
# Django's Spanish catalogue supplies the names of days and months and "a. m." / "p. m.".
# Emails write dates in full, in Spanish word order (networking_app.core.emails.when_format).
DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, g:i A"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, g:i A"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
TIME_FORMAT = "g:i A"
FIRST_DAY_OF_WEEK = 1  # Monday

# ISO first: a date input (<input type="date">) shows its value only in that form, and Django
# writes a field's value with the first input format. Day before month after it, as typed in
# Spanish.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
