"""Operations: health checks, structured logs with request ids, error reporting, backup and restore."""
