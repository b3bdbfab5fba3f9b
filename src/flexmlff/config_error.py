"""The one error of a config entry the workflow cannot run with (its own module: jobs raise it
too, without the planning's dependencies)."""


class ConfigError(ValueError):
    """A config entry the workflow cannot run with; the message names its key."""

    def __init__(self, key: str, message: str):
        super().__init__(f"config key '{key}': {message}")
        self.key = key
