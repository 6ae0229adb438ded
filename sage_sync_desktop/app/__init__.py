"""Assembly, Qt-free: the context every face starts from, the engine and the Procore client built
from the settings, the connection checks behind Settings, and the self-test's checks.

The command line (cli/) and the window (gui/) only parse, ask this package and the engine, and
present the answers.
"""
