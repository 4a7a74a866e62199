"""The ``kotoba-code`` command line. Each command parses options and calls
one public function of the library; see :mod:`kotoba_code.cli.app`."""

from kotoba_code.cli.app import main

__all__ = ["main"]
