"""Pure rules of the office: queue, calendar, KTP-el status, survey, reports, speech text, staff, settings.

Nothing here touches Flask, SQLite, the printer or the clock on the wall: every function takes what it needs.
"""
