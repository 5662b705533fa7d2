"""The citizen side: a channel-agnostic dialogue engine and the channel adapters (to come)."""
