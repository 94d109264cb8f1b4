"""The scheduler: periodic reports produced from the log, never missed, never doubled.

The log, not the scheduler's memory, is the record of what ran: each produced report appends
`ReportGenerated` keyed `report:<kind>:<period>`, so a restarted (or second) scheduler
produces exactly the periods that are due and not yet in the log.
"""
