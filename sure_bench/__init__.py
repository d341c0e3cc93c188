"""sure-bench: parameter-efficient transfer learning on speech, benchmarked."""

__version__ = "0.1.0"
