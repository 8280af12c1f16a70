"""The one exception the engine raises for anything a user did wrong: CircuitError."""


class CircuitError(ValueError):
    """A circuit, a file or an edit that cannot be used; the message names the place."""
