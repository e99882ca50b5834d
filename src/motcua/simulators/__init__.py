"""Local stand-ins for external systems, speaking each system's real HTTP contract.

Mounted only when settings.SIMULATORS_ENABLED is true (the demo and the tests); adapters reach
them through the same URL setting that points at the real system in production.
"""
