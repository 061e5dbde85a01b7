"""Rule kinds by family, each module declaring its kinds (``KINDS``) next to their handlers.

``agent.core.rules.catalogue`` gathers them; ask it, not the modules, which kinds exist.
"""
