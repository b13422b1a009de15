"""A fake Rakuten France (ex-PriceMinister) web services server for tests, benchmarks and the demo."""

from .protocol import Faults
from .server import FakeRakuten
from .state import RakutenState

__all__ = ["FakeRakuten", "Faults", "RakutenState"]
