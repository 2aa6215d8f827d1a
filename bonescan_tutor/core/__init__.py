"""Pure domain logic on numpy and dataclasses: no files, no Qt, no network."""
