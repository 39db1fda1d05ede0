"""The regency server: one PostgreSQL for every kecamatan office of a regency (docs/contract.md, "Regency").

Offices push what the regency needs (ticket events without anything personal, day summaries, survey
responses, disruptions, closures) to ``POST /regency/api/batches`` and pull the SIAK status records of
their own kecamatan from ``GET /regency/api/status-records``; regency staff see every office at a glance.
Self-contained: it shares only the password policy and the SIAK row checks with the office.
"""
