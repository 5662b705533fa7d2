"""The sub-commands of ``caunoi``, one module each."""
