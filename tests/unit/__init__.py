"""Pure-rule tests: no app, no database, no server (the unit lane, marked by folder)."""
