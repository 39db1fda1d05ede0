"""Files in and out: report spreadsheets, CSV and charts, survey exports, the SIAK status import."""
