"""The application core: the service, the unit of work, the bus and its handlers, the projector."""
