"""One module per `ascolto` command (see ascolto.cli): options at import, the work imported inside `run`."""
