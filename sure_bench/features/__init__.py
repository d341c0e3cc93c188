"""Frozen features, computed once and cached on disk, keyed by what determines them."""
