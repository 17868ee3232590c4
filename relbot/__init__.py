"""relbot: Conventional Commits releases and byte-exact GitOps image-tag updates."""

__all__ = ["__version__"]

__version__ = "0.0.0"
