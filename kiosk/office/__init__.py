"""The office's use cases: each state change is a storage call, then an event announced after commit."""
