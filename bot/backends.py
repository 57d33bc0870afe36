"""One way to plug in a backend of any kind (embedder, vector store, generator, transcriber).

Each kind keeps a `Backends` table of named factories, filled with `@TABLE.register("name")` next to the
implementations (as plugins register in simonw/llm); a `Literal`-typed setting picks one by name, and
`build()` turns an unknown name into a `ConfigError` that says which names exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings

T = TypeVar("T")


class Backends(Generic[T]):
    def __init__(self, kind: str, setting: str) -> None:
        self.kind = kind
        self.setting = setting  # the environment variable that chooses, for error messages
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """A factory takes the settings first, then whatever built parts the kind needs (a store: the embedder)."""

        def add(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return add

    def names(self) -> list[str]:
        return sorted(self._factories)

    def build(self, name: str, settings: Settings, *parts: Any) -> T:
        factory = self._factories.get(name)
        if factory is None:
            raise ConfigError(f"Unknown {self.kind} '{name}': set {self.setting} to one of {', '.join(self.names())}.")
        return factory(settings, *parts)
