"""A fake Volusion store (V1 XML API at ``/net/WebService.aspx``) on 127.0.0.1; see README.md."""

from config.sandbox.volusion.server import FakeVolusion
from config.sandbox.volusion.state import OutOfStock, VolusionState

__all__ = ["FakeVolusion", "OutOfStock", "VolusionState"]
