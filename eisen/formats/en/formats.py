# English dates as the app has always shown them: day first, ISO for the short forms. Norwegian
# and Swedish use Django's formats for those locales.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
